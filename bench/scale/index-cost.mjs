#!/usr/bin/env node
// bench/scale/index-cost: what the housekeeping index (migration 20261205000100) costs the fetch
// path's writes. Two databases, one with the index and one without, take the same mails through
// the row's whole life as the fetcher and housekeeping write it — put (binary COPY, 100 a batch),
// markEnqueued, recordServerAction deleted, markConsumed — alternating within each round, so
// the machine's drift falls on both. Prints wall time and PostgreSQL CPU per 1,000 mails.
//   node bench/scale/index-cost.mjs [rounds] [mails]
import { hash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { PgMessageStore } from '../../packages/core/dist/store/index.js';
import {
  addStoreAccount,
  benchEnv,
  cpuOfAll,
  dropDatabase,
  freshDatabase,
  machine,
  median,
  storeVerdict,
} from '../lib.mjs';

const ROUNDS = Number(process.argv[2] || 5);
const MAILS = Number(process.argv[3] || 5000);
const BATCH = 100;
const INDEXES = ['inbound_message_raw_held_idx'];
const verdict = storeVerdict('dispatched', 'bench');
const sides = [];
try {
  for (const indexes of [true, false]) sides.push(await side(indexes));
  const results = new Map(sides.map((s) => [s.indexes, { ms: [], cpu: [] }]));
  let serial = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? [...sides].reverse() : sides;
    for (const s of order) {
      const mails = Array.from({ length: MAILS }, () => mail(serial++));
      const cpu0 = cpuOfAll('postgres');
      const t0 = performance.now();
      await lifeOf(s, mails);
      results.get(s.indexes).ms.push(((performance.now() - t0) * 1000) / MAILS);
      results.get(s.indexes).cpu.push(((cpuOfAll('postgres') - cpu0) * 1e6) / MAILS);
    }
  }
  const a = results.get(false);
  const b = results.get(true);
  console.log(`\n### bench/scale/index-cost (${machine()})\n`);
  console.log(
    `${MAILS.toLocaleString('en')} × 10 KiB mails a side a round, medians of ${ROUNDS} alternating rounds.\n`,
  );
  console.log('| per 1,000 mails | without the index | with it | with/without |\n|---|---:|---:|---:|');
  for (const [what, key] of [
    ['wall time (ms)', 'ms'],
    ['PostgreSQL CPU (ms)', 'cpu'],
  ])
    console.log(
      `| ${what} | ${median(a[key]).toFixed(0)} | ${median(b[key]).toFixed(0)} | ${(median(b[key]) / median(a[key])).toFixed(2)} |`,
    );
  console.log(
    `\nRounds without: ${a.ms.map((x) => x.toFixed(0)).join(', ')}; with: ${b.ms.map((x) => x.toFixed(0)).join(', ')} ms.`,
  );
} finally {
  for (const s of sides) await s.pool.end();
  for (const s of sides) await dropDatabase(s.env);
}

async function side(indexes) {
  const env = benchEnv(`mailduct_bench_index_cost_${indexes ? 'with' : 'without'}`);
  await freshDatabase(env);
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
  if (!indexes) for (const name of INDEXES) await pool.query(`DROP INDEX ${name}`);
  return { indexes, env, pool, store: new PgMessageStore(pool), accountId: await addStoreAccount(pool) };
}

function mail(i) {
  const raw = Buffer.from(`Subject: ${i}\r\n\r\n${randomBytes(7600).toString('base64')}\r\n`);
  return {
    sha256: hash('sha256', raw, 'hex'),
    size: raw.length,
    raw,
    remoteId: String(i),
    origin: { folder: null, uidValidity: null, internalDate: null, source: `bench:${i}` },
    verdict,
  };
}

/** Each batch as a fetch run writes it, then its tickets consumed as the housekeeping records them. */
async function lifeOf(s, mails) {
  for (let i = 0; i < mails.length; i += BATCH) {
    const refs = await s.store.put(s.accountId, mails.slice(i, i + BATCH));
    const ids = refs.map((r) => r.id);
    await s.store.markEnqueued(ids);
    await s.store.recordServerAction(ids, 'deleted');
    await s.store.markConsumed(ids);
  }
}
