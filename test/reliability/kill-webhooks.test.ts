import type { ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '@mailduct/core/db';
import { SecretBox } from '@mailduct/core/crypto';
import { JOBS, ticketJobId } from '@mailduct/core/jobs';
import { createRedis, type RedisClient } from '@mailduct/core/redis';
import { newWebhookSecret } from '@mailduct/core/webhooks';
import { Queue } from 'bullmq';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { startChild, waitFor, type Child } from '../helpers/processes.js';
import { startReceiver, type Receiver } from '../helpers/http-receiver.js';

// The webhooks role SIGKILLed while its deliveries are in flight (the receiver has the requests
// and has not answered): another webhooks process delivers every event, and a receiver that
// deduplicates by webhook-id sees each ticket once, each request signed.
const N = 20;
let ctx: TestContext;
let prisma: PrismaClient;
let redis: RedisClient;
let tickets: Queue;
let receiver: Receiver;
let url: string;
const children: Child[] = [];
const held: ServerResponse[] = [];
let answering = false;
const accepted = new Map<string, number>(); // webhook-id → requests answered 2xx with it
let secret = '';

beforeAll(async () => {
  ctx = await createTestContext({
    MAILDUCT_FORWARD_TICKETS: 'true',
    MAILDUCT_WEBHOOK_ALLOW_PRIVATE: 'true',
    MAILDUCT_WEBHOOK_ALLOW_HTTP: 'true',
  });
  prisma = createPrisma(ctx.databaseUrl);
  redis = createRedis(ctx.config.redisUrl, { forWorker: true });
  tickets = new Queue(JOBS.ticketDispatched.queue, { connection: redis, prefix: ctx.prefix });
  receiver = await startReceiver(({ headers, body }, res) => {
    new Webhook(secret).verify(body, headers); // throws when unsigned
    if (!answering) return void held.push(res);
    accepted.set(headers['webhook-id']!, (accepted.get(headers['webhook-id']!) ?? 0) + 1);
    res.writeHead(204).end();
  });
  url = `${receiver.base}/tickets`;
});
afterAll(async () => {
  for (const c of children) await c.stop('SIGKILL');
  await tickets?.close();
  redis?.disconnect();
  await receiver?.close();
  await prisma?.$disconnect();
  await ctx?.drop();
});

describe('a webhooks process killed mid-delivery', () => {
  it('loses no event: another process delivers each, once per webhook-id', async () => {
    secret = newWebhookSecret();
    await prisma.webhook.create({
      data: { url, events: ['ticket.dispatched'], secretEnc: new SecretBox(ctx.config.secretKey).seal(secret) },
    });
    children.push(await startChild(['--webhooks'], ctx.env));
    for (let id = 1; id <= N; id++)
      await tickets.add(JOBS.ticketDispatched.name, { schemaVersion: 1, messageId: id }, { jobId: ticketJobId(id) });
    await waitFor('deliveries in flight', () => held.length >= 5, 20_000);
    expect(await children[0]!.stop('SIGKILL')).toBeNull();
    for (const res of held) res.destroy();

    answering = true;
    children.push(await startChild(['--webhooks'], ctx.env));
    // The killed process's jobs are taken again once their locks lapse (BullMQ's stalled check).
    await waitFor('every event delivered', () => accepted.size === N, 120_000);
    expect([...accepted.keys()].sort()).toEqual(
      Array.from({ length: N }, (_, i) => `evt_ticket-dispatched_${i + 1}`).sort(),
    );
    await waitFor(
      'every delivery recorded as delivered',
      async () => (await prisma.webhookDelivery.count({ where: { status: 'delivered' } })) === N,
      10_000,
    );
  }, 180_000);
});
