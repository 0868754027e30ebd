#!/usr/bin/env node
// bench/scale/retention: what dropping raw mail past its retention costs PostgreSQL, the way
// mailduct does it (expireRaw: raw and parsed set to NULL, 1,000 rows a statement, the row kept
// for deduplication and the API) against what a monthly partition would cost (DROP TABLE of a
// table holding the same rows); then deleting the rows of half of them as gone from the server
// (expireRows, MAILDUCT_MESSAGE_LOG_DAYS) and what the rows kept on the server cost each run. Mails are the public corpus (test/fixtures/corpus), each made
// unique by one header, stored through PgMessageStore as the fetcher stores them.
//   BENCH_MAILS=50000 [BENCH_WAL_COMPRESSION=lz4] node bench/scale/retention.mjs
import { hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { PgMessageStore } from '../../packages/core/dist/store/index.js';
import {
  addStoreAccount,
  benchEnv,
  cpuOfAll,
  dropDatabase,
  freshDatabase,
  machine,
  root,
  storeVerdict,
} from '../lib.mjs';

const MAILS = Number(process.env.BENCH_MAILS || 50_000);
const WAL_COMPRESSION = process.env.BENCH_WAL_COMPRESSION || 'off';
if (!['off', 'pglz', 'lz4', 'zstd'].includes(WAL_COMPRESSION))
  throw new Error('BENCH_WAL_COMPRESSION: off, pglz, lz4 or zstd');
const env = benchEnv('mailduct_bench_retention');
await freshDatabase(env);
// wal_compression compresses the full-page images that dominate the WAL of an expiry.
const pool = new pg.Pool({
  connectionString: env.DATABASE_URL,
  max: 4,
  options: `-c wal_compression=${WAL_COMPRESSION}`,
});
const q = async (sql, args) => (await pool.query(sql, args)).rows;
const corpus = emlFiles(join(root, 'test', 'fixtures', 'corpus')).map((f) => readFileSync(f));
const verdict = storeVerdict('ignored');
try {
  const accountId = await addStoreAccount(pool);
  const store = new PgMessageStore(pool);
  let rawBytes = 0;
  for (let i = 0; i < MAILS; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(MAILS, i + 100); j++) {
      const raw = Buffer.concat([Buffer.from(`X-Bench: ${j}\r\n`), corpus[j % corpus.length]]);
      rawBytes += raw.length;
      batch.push({
        sha256: hash('sha256', raw, 'hex'),
        size: raw.length,
        raw,
        remoteId: String(j),
        origin: { folder: null, uidValidity: null, internalDate: null, source: `bench:${j}` },
        verdict,
      });
    }
    await store.put(accountId, batch);
  }
  await q(`UPDATE inbound_message SET received_at = now() - interval '40 days'`);
  await q('VACUUM ANALYZE inbound_message');
  const before = await sizes();
  // What a partition holding the same rows would take to drop.
  await q('CREATE TABLE partition_like AS SELECT * FROM inbound_message');
  const t0 = performance.now();
  const wal0 = await wal();
  await q('DROP TABLE partition_like');
  const drop = { ms: performance.now() - t0, wal: (await wal()) - wal0 };
  await q('CHECKPOINT');
  const cpu0 = cpuOfAll('postgres');
  const wal1 = await wal();
  const t1 = performance.now();
  const expired = await store.expireRaw(30);
  const expire = { ms: performance.now() - t1, wal: (await wal()) - wal1, cpu: cpuOfAll('postgres') - cpu0 };
  const afterUpdate = await sizes();
  await q('VACUUM inbound_message');
  const afterVacuum = await sizes();
  const rows = await expireHalfTheRows(store);
  const [{ wal_compression: walCompression }] = await q('SHOW wal_compression');
  const mb = (b) => (b / 2 ** 20).toFixed(1);
  console.log(`\n### bench/scale/retention (${machine()})\n`);
  console.log(
    `${MAILS.toLocaleString('en')} corpus mails (${mb(rawBytes)} MiB raw, ${corpus.length} distinct), stored by PgMessageStore, raw past retention, wal_compression ${walCompression}.\n`,
  );
  console.log('| | value |\n|---|---:|');
  console.log(
    `| table + TOAST + indexes, stored | ${mb(before.total)} MiB (TOAST ${mb(before.toast)} MiB: lz4 ${((before.toast / rawBytes) * 100).toFixed(0)} % of raw) |`,
  );
  console.log(
    `| per row without its raw mail (heap + indexes) | ${Math.round((before.total - before.toast) / MAILS)} bytes |`,
  );
  console.log(
    `| expireRaw: ${expired.toLocaleString('en')} rows | ${(expire.ms / 1000).toFixed(2)} s, ${Math.round(expired / (expire.ms / 1000)).toLocaleString('en')} rows/s, ${((expire.cpu * 1000) / expired).toFixed(3)} ms PostgreSQL CPU a row, ${mb(expire.wal)} MiB WAL |`,
  );
  console.log(`| after expireRaw, before VACUUM | ${mb(afterUpdate.total)} MiB |`);
  console.log(
    `| after VACUUM (every TOAST page freed, so truncated; in a live table freed pages stay for new mail) | ${mb(afterVacuum.total)} MiB (TOAST ${mb(afterVacuum.toast)} MiB) |`,
  );
  console.log(`| DROP TABLE of the same rows (a partition) | ${drop.ms.toFixed(0)} ms, ${mb(drop.wal)} MiB WAL |`);
  console.log(
    `| expireRows: ${rows.deleted.toLocaleString('en')} rows gone from the server (the other half kept there) | ${(rows.ms / 1000).toFixed(2)} s, ${Math.round(rows.deleted / (rows.ms / 1000)).toLocaleString('en')} rows/s, ${((rows.cpu * 1000) / rows.deleted).toFixed(3)} ms PostgreSQL CPU a row, ${mb(rows.wal)} MiB WAL |`,
  );
  console.log(
    `| expireRows again: nothing to delete, ${rows.kept.toLocaleString('en')} kept rows left | ${rows.rescanMs.toFixed(1)} ms |`,
  );
  console.log(`| after VACUUM | ${mb(rows.afterVacuum.total)} MiB |`);
} finally {
  await pool.end();
  await dropDatabase(env);
}

function emlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return emlFiles(p);
    return /\.(eml|msg|txt)$/i.test(name) && statSync(p).size > 200 ? [p] : [];
  });
}

/** Every other row gone from the server, the rest kept there: what expireRows deletes, and what looking at the kept rows costs. */
async function expireHalfTheRows(store) {
  await q(`UPDATE inbound_message SET deleted_on_server_at = received_at, server_action = 'deleted' WHERE id % 2 = 0`);
  await q(`UPDATE inbound_message SET server_action = 'kept' WHERE id % 2 = 1`);
  await q('VACUUM ANALYZE inbound_message');
  await q('CHECKPOINT');
  const cpu0 = cpuOfAll('postgres');
  const wal0 = await wal();
  const t0 = performance.now();
  const deleted = await store.expireRows(30);
  const ms = performance.now() - t0;
  const result = { deleted, ms, wal: (await wal()) - wal0, cpu: cpuOfAll('postgres') - cpu0 };
  await q('VACUUM ANALYZE inbound_message');
  const t1 = performance.now();
  if ((await store.expireRows(30)) !== 0) throw new Error('expireRows deleted a kept row');
  const rescanMs = performance.now() - t1;
  const [{ n }] = await q('SELECT count(*)::int AS n FROM inbound_message');
  return { ...result, rescanMs, kept: n, afterVacuum: await sizes() };
}

async function sizes() {
  const [r] = await q(`SELECT pg_total_relation_size('inbound_message') AS total,
    pg_total_relation_size(reltoastrelid) AS toast FROM pg_class WHERE relname = 'inbound_message'`);
  return { total: Number(r.total), toast: Number(r.toast) };
}

async function wal() {
  const [r] = await q(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS b`);
  return Number(r.b);
}
