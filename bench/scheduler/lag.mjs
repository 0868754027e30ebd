#!/usr/bin/env node
// bench/scheduler/lag: 10,000 accounts every 60 s, two fetcher processes; the scheduling lag is
// (job started − job due) over ~2.5 intervals. Target: p99 < 2 s. The accounts point at a closed
// port, so each run is a real job (lock, account lookup, connect, FetchRun, backoff) that ends fast.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createPrisma } from '../../packages/core/dist/db/index.js';
import { createLogger } from '../../packages/core/dist/log/index.js';
import { AccountScheduler, SchedulerStore } from '../../apps/scheduler/dist/index.js';
import { benchEnv, bin, dropDatabase, freshDatabase, machine } from '../lib.mjs';

const COUNT = Number(process.env.BENCH_ACCOUNTS || 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS || 150);
const env = benchEnv('mailduct_bench_lag', { MAILDUCT_FETCH_CONCURRENCY: '20', LOG_LEVEL: 'warn' });
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
await db.query(
  `INSERT INTO mail_account (type, host, port, username, password_enc, poll_interval_seconds)
  SELECT 'POP3', '127.0.0.1', 9, 'u' || i, 'v1.x.x.x.x', 60 FROM generate_series(1, $1) i`,
  [COUNT],
);
await db.end();
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue('fetch', { connection: redis, prefix: env.MAILDUCT_QUEUE_PREFIX });
await queue.obliterate({ force: true }).catch(() => undefined);
const prisma = createPrisma(env.DATABASE_URL);
await new AccountScheduler(prisma, new SchedulerStore(queue), createLogger({ level: 'silent' })).reconcile();
const workers = [1, 2].map(() => spawn(process.execPath, [bin, 'start', '--fetcher'], { env, stdio: 'ignore' }));
const lags = new Map();
const started = Date.now();
while (Date.now() - started < SECONDS * 1000) {
  await new Promise((r) => setTimeout(r, 4000));
  for (const job of await queue.getJobs(['completed', 'failed'], 0, -1)) {
    if (!job.processedOn || lags.has(job.id)) continue;
    // Scheduler jobs are named repeat:<scheduler id>:<due millis>.
    const due = Number(job.id.split(':').at(-1));
    if (Number.isFinite(due)) lags.set(job.id, job.processedOn - due);
  }
}
for (const w of workers) w.kill('SIGTERM');
await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
const values = [...lags.values()].sort((a, b) => a - b);
const pct = (p) => values[Math.min(values.length - 1, Math.floor(values.length * p))];
console.log(`\n### bench/scheduler/lag (${machine()})\n`);
console.log(
  `${COUNT.toLocaleString('en')} accounts every 60 s, 2 fetcher processes (concurrency 20 each), ${SECONDS} s: ${values.length.toLocaleString('en')} scheduled jobs measured (${Math.round(values.length / SECONDS)}/s).\n`,
);
console.log('| lag (job started − job due) | p50 | p90 | p99 | max |');
console.log('|---|---:|---:|---:|---:|');
console.log(`| ms | ${pct(0.5)} | ${pct(0.9)} | ${pct(0.99)} | ${values.at(-1)} |`);
await queue.obliterate({ force: true });
await queue.close();
redis.disconnect();
await prisma.$disconnect();
await dropDatabase(env);
