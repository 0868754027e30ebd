import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPgPool, createPrisma, type PrismaClient } from '@mailduct/core/db';
import { JOBS, webhookJob, webhookJobId } from '@mailduct/core/jobs';
import { createRedis, type RedisClient } from '@mailduct/core/redis';
import { DeliveryRepository, sweepDeliveries } from '@mailduct/core/webhooks';
import { createTestContext, type TestContext } from '../../helpers/context.js';

// The delivery sweep: PostgreSQL says which deliveries are still to attempt; one whose job is
// gone (the process died between the row and the job) or failed (PostgreSQL was down during the
// attempt) gets it again under the same job id; a job merely waiting is left alone; the log of
// ended deliveries is dropped after its retention.
let ctx: TestContext;
let prisma: PrismaClient;
let pool: pg.Pool;
let redis: RedisClient;
let queue: Queue;
let deps: { repository: DeliveryRepository; queue: Queue };
const now = new Date();
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

beforeAll(async () => {
  ctx = await createTestContext();
  prisma = createPrisma(ctx.databaseUrl);
  pool = createPgPool(ctx.databaseUrl);
  redis = createRedis(ctx.config.redisUrl, { forWorker: true });
  queue = new Queue(JOBS.webhookDelivery.queue, { connection: redis, prefix: ctx.prefix });
  deps = { repository: new DeliveryRepository(prisma, pool), queue };
});
afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await prisma?.$disconnect();
  await pool?.end();
  await ctx?.drop();
});

async function delivery(
  eventId: string,
  data: { status: string; attempts?: number; createdAt: Date; nextAttemptAt?: Date },
) {
  const hook = await prisma.webhook.create({ data: { url: 'https://h.example.com/', events: [], secretEnc: 'x' } });
  return prisma.webhookDelivery.create({
    data: { webhookId: hook.id, eventId, eventType: 'account.failed', body: '{}', ...data },
  });
}

describe('the webhook delivery sweep', () => {
  it('gives a lost or failed job back, leaves a waiting one, and forgets old ended deliveries', async () => {
    const lost = await delivery('evt_lost', { status: 'pending', createdAt: ago(10) });
    const young = await delivery('evt_young', { status: 'pending', createdAt: ago(1) });
    const waiting = await delivery('evt_waiting', { status: 'pending', createdAt: ago(10) });
    const failed = await delivery('evt_failed', {
      status: 'retrying',
      attempts: 2,
      createdAt: ago(60),
      nextAttemptAt: ago(10),
    });
    const later = await delivery('evt_later', {
      status: 'retrying',
      attempts: 1,
      createdAt: ago(60),
      nextAttemptAt: ago(-30),
    });
    const old = await delivery('evt_old', { status: 'delivered', attempts: 1, createdAt: ago(8 * 24 * 60) });
    const recent = await delivery('evt_recent', { status: 'failed', attempts: 1, createdAt: ago(6 * 24 * 60) });

    // Attempt 3 of `failed` ran and failed (its job kept in the failed set, as BullMQ does).
    const f = webhookJob(failed.id, 3);
    await queue.add(f.name, f.data, f.opts);
    const worker = new Worker(JOBS.webhookDelivery.queue, null, {
      connection: redis,
      prefix: ctx.prefix,
      autorun: false,
    });
    const job = (await worker.getNextJob('token'))!;
    await job.moveToFailed(new Error('PostgreSQL unavailable'), 'token', false);
    await worker.close();
    const w = webhookJob(waiting.id, 1);
    await queue.add(w.name, w.data, w.opts);

    const sweep = await sweepDeliveries(deps, { graceMs: 5 * 60_000, keepDays: 7, now });
    expect(sweep).toEqual({ requeued: 2, removed: 1 });
    expect(await (await queue.getJob(webhookJobId(lost.id, 1)))?.getState()).toBe('waiting');
    expect(await (await queue.getJob(webhookJobId(failed.id, 3)))?.getState()).toBe('waiting');
    expect(await queue.getJob(webhookJobId(young.id, 1))).toBeUndefined();
    expect(await queue.getJob(webhookJobId(later.id, 2))).toBeUndefined();
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 3 });
    expect(await prisma.webhookDelivery.findUnique({ where: { id: old.id } })).toBeNull();
    expect(await prisma.webhookDelivery.findUnique({ where: { id: recent.id } })).not.toBeNull();

    // The next sweep finds their jobs waiting: nothing doubled.
    expect(await sweepDeliveries(deps, { graceMs: 5 * 60_000, keepDays: 7, now })).toEqual({ requeued: 0, removed: 0 });
  });
});
