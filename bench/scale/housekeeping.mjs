#!/usr/bin/env node
// bench/scale/housekeeping: what one round of the scheduler's housekeeping (every minute) costs
// PostgreSQL when the table is large and nothing is due — the outbox sweep, the raw-mail expiry
// and the row expiry as PgMessageStore runs them — with the partial indexes of migration
// 20261205000100 and without them. The table is BENCH_ROWS rows of 60 days of mail in the state
// housekeeping leaves it: raw mail kept for the last 29 days, every ticket consumed, half the mail
// deleted on the server and half kept there, rows of deleted mail kept 44 days (a day's margin
// on each, so nothing falls due while it runs).
//   BENCH_ROWS=1000000 node bench/scale/housekeeping.mjs
import pg from 'pg';
import { PgMessageStore } from '../../packages/core/dist/store/index.js';
import { benchEnv, dropDatabase, freshDatabase, machine, median } from '../lib.mjs';

const ROWS = Number(process.env.BENCH_ROWS || 1_000_000);
const ROUNDS = 5;
const INDEXES = ['inbound_message_unconsumed_idx', 'inbound_message_raw_held_idx', 'inbound_message_gone_idx'];
/** What expireRaw ran before: no condition on received_at, so no index could narrow it. */
const EXPIRE_RAW_BEFORE = `UPDATE inbound_message SET raw = NULL, parsed = NULL WHERE id IN (
    SELECT id FROM inbound_message WHERE raw IS NOT NULL AND (
      (status = 'dispatched' AND consumed_at < now() - make_interval(days => 30)) OR
      (status = 'ignored' AND received_at < now() - make_interval(days => 30)))
    LIMIT 1000)`;
const env = benchEnv('mailduct_bench_housekeeping');
await freshDatabase(env);
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 2 });
const q = async (sql, args) => (await pool.query(sql, args)).rows;
try {
  await q(
    `INSERT INTO mail_account (type, host, port, username, password_enc, dispatch_by) VALUES ('POP3', 'h', 110, 'u', 'x', 'to')`,
  );
  const t0 = performance.now();
  await q(`INSERT INTO inbound_message (account_id, sha256, size, raw, remote_id, source, subject, status,
      received_at, dispatched_at, enqueued_at, consumed_at, deleted_on_server_at, server_action)
    SELECT 1, lpad(to_hex(g), 64, '0'), 2000,
      CASE WHEN t > now() - interval '29 days' THEN convert_to(repeat('x', 200), 'UTF8') END,
      g::text, 'pop3:' || g, repeat('s', 60), 'dispatched', t, t, t, t + interval '1 minute',
      CASE WHEN g % 2 = 0 THEN t END, CASE WHEN g % 2 = 0 THEN 'deleted' ELSE 'kept' END
    FROM (SELECT g, now() - interval '60 days' + (g::float / ${ROWS}) * interval '60 days' AS t
          FROM generate_series(1, ${ROWS}) g) s`);
  const store = new PgMessageStore(pool);
  const settled = await store.expireRows(44);
  await q('VACUUM ANALYZE inbound_message');
  const loadS = (performance.now() - t0) / 1000;
  const sizes = await q(
    `SELECT relname AS name, pg_relation_size(oid) AS bytes FROM pg_class WHERE relname = ANY($1) ORDER BY relname`,
    [INDEXES],
  );
  const withIndexes = await round(store);
  for (const name of INDEXES) await q(`DROP INDEX ${name}`);
  await q('ANALYZE inbound_message');
  const without = await round(store);
  const [{ n }] = await q('SELECT count(*)::int AS n FROM inbound_message');
  const mb = (b) => (Number(b) / 2 ** 20).toFixed(1);
  console.log(`\n### bench/scale/housekeeping (${machine()})\n`);
  console.log(
    `${n.toLocaleString('en')} rows after ${settled.toLocaleString('en')} of ${ROWS.toLocaleString('en')} expired (loaded in ${loadS.toFixed(0)} s); nothing due; median of ${ROUNDS} rounds.\n`,
  );
  console.log('| statement (PgMessageStore) | without the indexes | with them |\n|---|---:|---:|');
  for (const step of Object.keys(withIndexes))
    console.log(`| ${step} | ${without[step].toFixed(1)} ms | ${withIndexes[step].toFixed(2)} ms |`);
  console.log(`\nIndex sizes: ${sizes.map((s) => `${s.name} ${mb(s.bytes)} MiB`).join(', ')}.`);
} finally {
  await pool.end();
  await dropDatabase(env);
}

/** Median milliseconds of each housekeeping statement over ROUNDS rounds, each statement with nothing to do. */
async function round(store) {
  const steps = {
    'outbox sweep (unconsumedTickets)': () => store.unconsumedTickets(0, 600_000, 500),
    'raw mail expiry (expireRaw 30)': () => store.expireRaw(30),
    'row expiry (expireRows 45)': () => store.expireRows(45),
    'raw mail expiry, the statement before 20261205000100': async () => (await pool.query(EXPIRE_RAW_BEFORE)).rowCount,
  };
  const times = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++)
    for (const [name, run] of Object.entries(steps)) {
      const t = performance.now();
      const did = await run();
      times[name].push(performance.now() - t);
      if ((Array.isArray(did) ? did.length : did) !== 0) throw new Error(`${name} found work in a settled table`);
    }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}
