#!/usr/bin/env node
// bench/fetch/store-floor: how fast PostgreSQL alone takes in 200 × 1 MiB mails through
// PgMessageStore (binary COPY, batches of 7, two in flight, as the fetcher's large lane), with no
// mail server and no queue: the floor under bench/fetch's 1 MiB rows. Text mails (compressible,
// like bench/fetch's seeded ones) and base64 attachments (like real mail), with the migration's lz4
// compression and with STORAGE EXTERNAL (no compression).
//   node bench/fetch/store-floor.mjs [rounds]
import { hash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { PgMessageStore } from '../../packages/core/dist/store/index.js';
import { addStoreAccount, benchEnv, dropDatabase, freshDatabase, machine, median } from '../lib.mjs';

const ROUNDS = Number(process.argv[2] || 3);
const COUNT = 200;
const BATCH = 7;
const env = benchEnv('mailduct_bench_store_floor');
await freshDatabase(env);
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
const line = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvw\r\n';
const KINDS = {
  text: (i) => Buffer.from(`Subject: text ${i} ${randomBytes(8).toString('hex')}\r\n\r\n${line.repeat(13_100)}`),
  base64: (i) =>
    Buffer.from(`Subject: base64 ${i}\r\n\r\n${randomBytes(780_000).toString('base64').replace(/.{76}/g, '$&\r\n')}`),
};
try {
  const accountId = await addStoreAccount(pool);
  const store = new PgMessageStore(pool);
  console.log(`### bench/fetch/store-floor (${machine()}, medians of ${ROUNDS})\n`);
  console.log('| raw column | mails | msgs/s |\n|---|---|---:|');
  for (const storage of ['lz4', 'EXTERNAL']) {
    if (storage === 'EXTERNAL') await pool.query('ALTER TABLE inbound_message ALTER COLUMN raw SET STORAGE EXTERNAL');
    for (const [kind, make] of Object.entries(KINDS)) {
      const rates = [];
      for (let r = 0; r < ROUNDS; r++)
        rates.push(
          await storeAll(
            store,
            accountId,
            Array.from({ length: COUNT }, (_, i) => make(i)),
          ),
        );
      console.log(
        `| ${storage === 'lz4' ? 'lz4 (the migration)' : 'STORAGE EXTERNAL'} | ${COUNT} × 1 MiB ${kind} | ${Math.round(median(rates))} |`,
      );
    }
  }
} finally {
  await pool.end();
  await dropDatabase(env);
}

async function storeAll(store, accountId, mails) {
  const verdict = { status: 'quarantined', error: 'bench', summary: null };
  const t0 = performance.now();
  const inFlight = [];
  for (let i = 0; i < mails.length; i += BATCH) {
    const batch = mails.slice(i, i + BATCH).map((raw, j) => ({
      sha256: hash('sha256', raw, 'hex'),
      size: raw.length,
      raw,
      remoteId: String(i + j),
      origin: { folder: null, uidValidity: null, internalDate: null, source: `bench:${i + j}` },
      verdict,
    }));
    inFlight.push(store.put(accountId, batch));
    if (inFlight.length >= 2) await inFlight.shift();
  }
  await Promise.all(inFlight);
  return mails.length / ((performance.now() - t0) / 1000);
}
