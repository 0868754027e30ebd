import { Queue, Worker } from 'bullmq';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '@mailduct/core/crypto';
import type pg from 'pg';
import { createPgPool, createPrisma, type PrismaClient } from '@mailduct/core/db';
import { JOBS, parseWebhookJobData } from '@mailduct/core/jobs';
import { createLogger } from '@mailduct/core/log';
import { createRedis, type RedisClient } from '@mailduct/core/redis';
import {
  deliverWebhook,
  DeliveryRepository,
  newWebhookSecret,
  publishWebhookEvent,
  webhookEventBody,
  webhookEventId,
  type DeliveryStep,
} from '@mailduct/core/webhooks';
import { createTestContext, type TestContext } from '../../helpers/context.js';
import { waitFor } from '../../helpers/processes.js';
import { startReceiver, type Receiver } from '../../helpers/http-receiver.js';

// An event published to webhooks and delivered by a BullMQ worker to real HTTP receivers: the
// same signed body and webhook-id on every attempt, a 503 retried after the policy's delay, a
// 410 not retried, a disabled webhook's delivery ended without a request.
let ctx: TestContext;
let prisma: PrismaClient;
let pool: pg.Pool;
let redis: RedisClient;
let queue: Queue;
let worker: Worker;
let receiver: Receiver;
let base: string;
const steps: DeliveryStep[] = [];
const answers = new Map<string, number[]>(); // path → statuses to answer in turn
const secrets = () => new SecretBox(ctx.config.secretKey);

beforeAll(async () => {
  ctx = await createTestContext();
  prisma = createPrisma(ctx.databaseUrl);
  pool = createPgPool(ctx.databaseUrl);
  redis = createRedis(ctx.config.redisUrl, { forWorker: true });
  receiver = await startReceiver((r, res) => void res.writeHead(answers.get(r.path)?.shift() ?? 200).end());
  base = receiver.base;
  queue = new Queue(JOBS.webhookDelivery.queue, { connection: redis, prefix: ctx.prefix });
  const deps = {
    repository: new DeliveryRepository(prisma, pool),
    queue,
    secrets: secrets(),
    logger: createLogger({ level: 'silent' }),
    allowPrivate: true,
  };
  worker = new Worker(
    JOBS.webhookDelivery.queue,
    async (job) => steps.push(await deliverWebhook(deps, parseWebhookJobData(job.data))),
    { connection: createRedis(ctx.config.redisUrl, { forWorker: true }), prefix: ctx.prefix },
  );
});
afterAll(async () => {
  await worker?.close();
  await queue?.close();
  redis?.disconnect();
  await receiver?.close();
  await prisma?.$disconnect();
  await pool?.end();
  await ctx?.drop();
});

async function webhook(path: string, events: string[], enabled = true) {
  const secret = newWebhookSecret();
  const row = await prisma.webhook.create({
    data: { url: `${base}${path}`, events, secretEnc: secrets().seal(secret), enabled },
  });
  return { id: row.id, secret };
}

describe('delivering webhook events', () => {
  it('retries a 503 after its delay with the same signed event, and does not retry a 410', async () => {
    const busy = await webhook('/busy', ['account.failed']);
    await webhook('/gone', ['account.failed']);
    answers.set('/busy', [503, 200]);
    answers.set('/gone', [410]);
    const id = webhookEventId('account.failed', 'run-1');
    const body = webhookEventBody('account.failed', { accountId: 1 }, new Date());
    expect(
      await publishWebhookEvent(
        { repository: new DeliveryRepository(prisma, pool), queue },
        'account.failed',
        id,
        body,
      ),
    ).toBe(2);

    await waitFor('both first attempts', async () => receiver.got.length >= 2, 10_000);
    await waitFor('the retry to be scheduled', async () => (await queue.getDelayedCount()) === 1, 5_000);
    const [retry] = await queue.getDelayed();
    expect(retry!.id).toMatch(/^wd-\d+-2$/);
    expect(retry!.opts.delay).toBeGreaterThanOrEqual(24_000); // 30 s ± 20 %
    expect(retry!.opts.delay).toBeLessThanOrEqual(36_000);
    await waitFor('the 410 to end its delivery', async () => steps.includes('failed'), 5_000);
    expect(steps.filter((s) => s === 'failed')).toHaveLength(1);
    await retry!.promote();
    await waitFor(
      'the second attempt',
      async () => receiver.got.filter((r) => r.path === '/busy').length === 2,
      10_000,
    );
    await waitFor('delivered', async () => steps.includes('delivered'), 5_000);

    const attempts = receiver.got.filter((r) => r.path === '/busy');
    expect(new Set(attempts.map((a) => a.headers['webhook-id']))).toEqual(new Set([id]));
    for (const a of attempts) expect(new Webhook(busy.secret).verify(a.body, a.headers)).toEqual(JSON.parse(body));
    const rows = await prisma.webhookDelivery.findMany({ where: { eventId: id }, orderBy: { webhookId: 'asc' } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['delivered', 2],
      ['failed', 1],
    ]);
    expect(rows[1]!.lastError).toBe('answered 410: the receiver refused the event');
  });

  it('ends the delivery of a webhook disabled after the event, without a request', async () => {
    const h = await webhook('/later-disabled', ['account.parked']);
    const repository = new DeliveryRepository(prisma, pool);
    const [deliveryId] = await repository.addEvent('account.parked', 'evt_p', '{}');
    await prisma.webhook.update({ where: { id: h.id }, data: { enabled: false } });
    const before = receiver.got.length;
    await queue.add(JOBS.webhookDelivery.name, { deliveryId: String(deliveryId) }, { jobId: `wd-${deliveryId}-1` });
    await waitFor(
      'the delivery to end',
      async () => (await repository.pending(deliveryId!))?.status === 'failed',
      5_000,
    );
    expect(receiver.got).toHaveLength(before);
    expect((await repository.pending(deliveryId!))!.lastError).toBe('the webhook is disabled');
  });
});
