#!/usr/bin/env node
// bench/scale/housekeeping: what one round of the scheduler's housekeeping (every minute) costs
// PostgreSQL when the table is large and nothing is due — the outbox sweep, the raw-mail expiry
// and the row expiry as PgMessageStore runs them, and the raw-mail expiry's statement before the
// partial index of migration 20261205000100. The table is BENCH_ROWS rows of 60 days of mail in the state
// housekeeping leaves it: raw mail kept for the last 29 days, every ticket consumed, half the mail
// deleted on the server and half kept there, rows of deleted mail kept 44 days (a day's margin
// on each, so nothing falls due while it runs). Then the webhook delivery log: BENCH_DELIVERIES
// delivered deliveries of the last 6 days to two webhooks, and the sweep's removal of ended
// deliveries past MAILDUCT_WEBHOOK_LOG_DAYS (7) one webhook at a time against one statement.
//   BENCH_ROWS=1000000 BENCH_DELIVERIES=1000000 node bench/scale/housekeeping.mjs
import pg from 'pg';
import { createPrisma } from '../../packages/core/dist/db/index.js';
import { PgMessageStore } from '../../packages/core/dist/store/index.js';
import { DeliveryRepository } from '../../packages/core/dist/webhooks/index.js';
import { addStoreAccount, benchEnv, dropDatabase, freshDatabase, machine, median } from '../lib.mjs';

const ROWS = Number(process.env.BENCH_ROWS || 1_000_000);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES || ROWS);
const ROUNDS = 5;
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
  await addStoreAccount(pool);
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
  const [{ bytes }] = await q(`SELECT pg_relation_size('inbound_message_raw_held_idx') AS bytes`);
  const times = await round(store);
  const [{ n }] = await q('SELECT count(*)::int AS n FROM inbound_message');
  console.log(`\n### bench/scale/housekeeping (${machine()})\n`);
  console.log(
    `${n.toLocaleString('en')} rows after ${settled.toLocaleString('en')} of ${ROWS.toLocaleString('en')} expired (loaded in ${loadS.toFixed(0)} s); nothing due; median of ${ROUNDS} rounds.\n`,
  );
  console.log('| statement | median |\n|---|---:|');
  for (const [name, ms] of Object.entries(times)) console.log(`| ${name} | ${ms.toFixed(2)} ms |`);
  console.log(`\ninbound_message_raw_held_idx: ${(Number(bytes) / 2 ** 20).toFixed(1)} MiB.`);
  await deliveryLog();
} finally {
  await pool.end();
  await dropDatabase(env);
}

/** The webhook delivery log: removing ended deliveries with nothing old enough, as the sweep does and in one statement. */
async function deliveryLog() {
  await q(
    `INSERT INTO webhook (url, secret_enc) VALUES ('https://a.example/hook', 'x'), ('https://b.example/hook', 'x')`,
  );
  await q(`INSERT INTO webhook_delivery (webhook_id, event_id, event_type, body, status, attempts, created_at, delivered_at)
    SELECT 1 + g % 2, 'e' || g, 'ticket.dispatched', '{}', 'delivered', 1, t, t
    FROM (SELECT g, now() - interval '6 days' + (g::float / ${DELIVERIES}) * interval '6 days' AS t
          FROM generate_series(1, ${DELIVERIES}) g) s`);
  await q('VACUUM ANALYZE webhook_delivery');
  const prisma = createPrisma(env.DATABASE_URL);
  const repository = new DeliveryRepository(prisma, pool);
  const before = () => new Date(Date.now() - 7 * 86_400_000);
  const steps = {
    'removeEnded, one webhook at a time': () => repository.removeEnded(before()),
    'the same in one statement (before)': async () =>
      (
        await pool.query(`DELETE FROM webhook_delivery WHERE status IN ('delivered', 'failed') AND created_at < $1`, [
          before(),
        ])
      ).rowCount,
    'stranded deliveries (the sweep)': async () => (await repository.stranded(before(), 500)).length,
  };
  const times = await timed(steps);
  await prisma.$disconnect();
  console.log(
    `\n${DELIVERIES.toLocaleString('en')} delivered webhook deliveries of the last 6 days, 2 webhooks, nothing due:\n`,
  );
  console.log('| statement | median |\n|---|---:|');
  for (const [name, ms] of Object.entries(times)) console.log(`| ${name} | ${ms.toFixed(2)} ms |`);
}

/** Median milliseconds of each housekeeping statement over ROUNDS rounds, each statement with nothing to do. */
async function round(store) {
  return timed({
    'outbox sweep (unconsumedTickets), no index narrows it': () => store.unconsumedTickets(0, 600_000, 500),
    'raw mail expiry (expireRaw 30), inbound_message_raw_held_idx': () => store.expireRaw(30),
    'raw mail expiry, the statement before 20261205000100': async () => (await pool.query(EXPIRE_RAW_BEFORE)).rowCount,
    'row expiry (expireRows 45), reading the old rows it keeps': () => store.expireRows(45),
  });
}

/** Median milliseconds of each step over ROUNDS rounds; a step that finds work fails the bench. */
async function timed(steps) {
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
