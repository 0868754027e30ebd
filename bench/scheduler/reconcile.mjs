#!/usr/bin/env node
// bench/scheduler/reconcile: reconcile 10,000 accounts from empty and again with nothing to
// change (targets < 5 s and < 1 s), and 100,000 from empty (target < 60 s).
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createPrisma } from '../../packages/core/dist/db/index.js';
import { createLogger } from '../../packages/core/dist/log/index.js';
import { AccountScheduler, SchedulerStore } from '../../apps/scheduler/dist/index.js';
import { benchEnv, dropDatabase, freshDatabase, machine } from '../lib.mjs';

const results = [];
for (const count of [10_000, Number(process.env.BENCH_LARGE_ACCOUNTS || 100_000)]) {
  const env = benchEnv(`mailduct_bench_reconcile_${count}`);
  await freshDatabase(env);
  const db = new pg.Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  await db.query(
    `INSERT INTO mail_account (type, host, username, password_enc, validity, poll_interval_seconds)
    SELECT 'IMAP', 'mail' || (i % 100) || '.example.com', 'u' || i, 'x', (CASE WHEN i % 10 = 0 THEN 'invalid' ELSE 'valid' END)::"Validity", 600 FROM generate_series(1, $1) i`,
    [count],
  );
  await db.end();
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('fetch', { connection: redis, prefix: env.MAILDUCT_QUEUE_PREFIX });
  await queue.obliterate({ force: true }).catch(() => undefined);
  const prisma = createPrisma(env.DATABASE_URL);
  const scheduler = new AccountScheduler(prisma, new SchedulerStore(queue), createLogger({ level: 'silent' }));
  const empty = await scheduler.reconcile();
  const again = await scheduler.reconcile();
  results.push({ count, empty, again });
  console.error(`${count}: from empty ${empty.ms} ms (${empty.upserted} created), unchanged ${again.ms} ms`);
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
  await prisma.$disconnect();
  await dropDatabase(env);
}
console.log(`\n### bench/scheduler/reconcile (${machine()})\n`);
console.log('| accounts (90 % valid) | from empty | schedulers created | again, nothing to change |');
console.log('|---:|---:|---:|---:|');
for (const r of results)
  console.log(
    `| ${r.count.toLocaleString('en')} | ${(r.empty.ms / 1000).toFixed(2)} s | ${r.empty.upserted.toLocaleString('en')} | ${(r.again.ms / 1000).toFixed(2)} s |`,
  );
