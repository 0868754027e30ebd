#!/usr/bin/env node
// bench/scale/redis-memory: Redis memory per scheduled account (its job scheduler and the
// delayed job of its next run, as the scheduler's reconcile leaves them) and per ticket job
// waiting on the `tickets` queue (about 1 KiB of JSON, as the fetcher adds it), from
// `used_memory` before and after BENCH_ACCOUNTS (default 10,000) of each. Run on a quiet Redis.
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createPrisma } from '../../packages/core/dist/db/index.js';
import { createLogger } from '../../packages/core/dist/log/index.js';
import { AccountScheduler, SchedulerStore } from '../../apps/scheduler/dist/index.js';
import { benchEnv, dropDatabase, freshDatabase, machine, sampleTicket } from '../lib.mjs';

const N = Number(process.env.BENCH_ACCOUNTS || 10_000);
const env = benchEnv('mailduct_bench_redis_memory');
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
await db.query(
  `INSERT INTO mail_account (type, host, username, password_enc, poll_interval_seconds)
   SELECT 'IMAP', 'mail' || (i % 100) || '.example.com', 'u' || i, 'x', 600 FROM generate_series(1, $1) i`,
  [N],
);
await db.end();
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const prefix = env.MAILDUCT_QUEUE_PREFIX;
for (const key of await redis.keys(`${prefix}:*`)) await redis.del(key);
const used = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);

const fetch = new Queue('fetch', { connection: redis, prefix });
const prisma = createPrisma(env.DATABASE_URL);
const m0 = await used();
await new AccountScheduler(prisma, new SchedulerStore(fetch), createLogger({ level: 'silent' })).reconcile();
const m1 = await used();

const tickets = new Queue('tickets', { connection: redis, prefix });
const ticket = (messageId) => sampleTicket(messageId, 1 + (messageId % N));
for (let i = 0; i < N; i += 1000)
  await tickets.addBulk(
    Array.from({ length: 1000 }, (_, k) => ({
      name: 'ticket.dispatched',
      data: ticket(i + k + 1),
      opts: { jobId: `t-${i + k + 1}` },
    })),
  );
const m2 = await used();
const jsonBytes = JSON.stringify(ticket(12345)).length;

console.log(`bench/scale/redis-memory (${machine()}), ${N.toLocaleString('en')} of each`);
console.log(`per scheduled account: ${Math.round((m1 - m0) / N)} bytes of Redis memory`);
console.log(`per waiting ticket job (${jsonBytes} bytes of JSON): ${Math.round((m2 - m1) / N)} bytes`);
for (const key of await redis.keys(`${prefix}:*`)) await redis.del(key);
await Promise.all([fetch.close(), tickets.close()]);
redis.disconnect();
await prisma.$disconnect();
await dropDatabase(env);
