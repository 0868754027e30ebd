import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPgPool, createPrisma, type PrismaClient } from '@mailduct/core/db';
import {
  decideDelivery,
  DeliveryRepository,
  RETRY_WINDOW_MS,
  webhookEventBody,
  webhookEventId,
  type AttemptRecord,
} from '@mailduct/core/webhooks';
import { createTestContext, type TestContext } from '../../helpers/context.js';

// The deliveries in PostgreSQL: an event for every subscribed, enabled webhook and once only, the
// attempt log, the webhook's failing state and its disabling after 24 h without a delivery.
let ctx: TestContext;
let prisma: PrismaClient;
let pool: pg.Pool;
let repo: DeliveryRepository;
beforeAll(async () => {
  ctx = await createTestContext();
  prisma = createPrisma(ctx.databaseUrl);
  pool = createPgPool(ctx.databaseUrl);
  repo = new DeliveryRepository(prisma, pool);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await ctx?.drop();
});

const hook = (events: string[], enabled = true) =>
  prisma.webhook.create({ data: { url: 'https://tickets.example.com/h', events, secretEnc: 'x', enabled } });
const answered = (status: number, latencyMs = 12): AttemptRecord => ({
  result: { status },
  latencyMs,
  responseExcerpt: status >= 400 ? 'busy\u0000' : 'ok',
});

describe('webhook deliveries', () => {
  it('adds an event for every enabled webhook subscribed to it, once', async () => {
    const [a, b] = [await hook(['ticket.dispatched']), await hook(['ticket.dispatched', 'account.failed'])];
    await hook(['account.failed']);
    await hook(['ticket.dispatched'], false);
    const id = webhookEventId('ticket.dispatched', 101);
    const body = webhookEventBody('ticket.dispatched', { messageId: 101 }, new Date());
    const first = await repo.addEvent('ticket.dispatched', id, body);
    expect(first).toHaveLength(2);
    // Published again before any attempt (the publisher died before adding the jobs): the same
    // deliveries, to be given their (same-id) jobs, and no second delivery.
    expect(await repo.addEvent('ticket.dispatched', id, body)).toEqual(first);
    const rows = await prisma.webhookDelivery.findMany({ where: { eventId: id }, orderBy: { webhookId: 'asc' } });
    expect(rows.map((r) => [r.webhookId, r.status, r.body])).toEqual([
      [a.id, 'pending', body],
      [b.id, 'pending', body],
    ]);
    // Once attempted, a delivery is not handed out again.
    await prisma.webhookDelivery.update({ where: { id: first[0]! }, data: { attempts: 1, status: 'delivered' } });
    expect(await repo.addEvent('ticket.dispatched', id, body)).toEqual([first[1]]);
  });

  it('logs each attempt, retries, delivers, and clears the webhook failing state on delivery', async () => {
    const h = await hook(['account.failed']);
    const [id] = await repo.addEvent('account.failed', 'evt_1', '{}');
    const t0 = new Date('2026-12-03T10:00:00Z');
    let d = (await repo.pending(id!))!;
    await repo.recordAttempt(
      d,
      answered(503),
      decideDelivery({ status: 503 }, 1, t0.getTime(), t0.getTime(), () => 0.5),
      t0,
    );
    d = (await repo.pending(id!))!;
    expect(d).toMatchObject({ status: 'retrying', attempts: 1, firstAttemptAt: t0, lastError: 'answered 503' });
    const row = () => prisma.webhookDelivery.findUniqueOrThrow({ where: { id: id! } });
    expect((await row()).nextAttemptAt).toEqual(new Date(t0.getTime() + 30_000));
    expect(d.webhook.failingSince).toEqual(t0);
    const t1 = new Date(t0.getTime() + 30_000);
    await repo.recordAttempt(d, answered(200), decideDelivery({ status: 200 }, 2, t0.getTime(), t1.getTime()), t1);
    d = (await repo.pending(id!))!;
    expect(await row()).toMatchObject({
      status: 'delivered',
      attempts: 2,
      firstAttemptAt: t0,
      deliveredAt: t1,
      nextAttemptAt: null,
      lastError: null,
    });
    expect(d.webhook.failingSince).toBeNull();
    const log = await prisma.webhookAttempt.findMany({ where: { deliveryId: id! }, orderBy: { attempt: 'asc' } });
    expect(log.map((l) => [l.attempt, l.statusCode, l.latencyMs, l.responseExcerpt])).toEqual([
      [1, 503, 12, 'busy\uFFFD'],
      [2, 200, 12, 'ok'],
    ]);
    expect(h.enabled).toBe(true);
  });

  it('disables a webhook that has delivered nothing for 24 h, and says why', async () => {
    const h = await hook(['account.parked']);
    const t0 = new Date('2026-12-03T10:00:00Z');
    const [first] = await repo.addEvent('account.parked', 'evt_a', '{}');
    const refused = {
      result: { error: 'connection', message: 'ECONNREFUSED' },
      latencyMs: 3,
      responseExcerpt: null,
    } as const;
    const decide = (at: Date) => decideDelivery(refused.result, 1, at.getTime(), at.getTime());
    expect((await repo.recordAttempt((await repo.pending(first!))!, refused, decide(t0), t0)).disabled).toBe(false);
    const later = new Date(t0.getTime() + RETRY_WINDOW_MS);
    const [second] = await repo.addEvent('account.parked', 'evt_b', '{}');
    expect((await repo.recordAttempt((await repo.pending(second!))!, refused, decide(later), later)).disabled).toBe(
      true,
    );
    const now = await prisma.webhook.findUniqueOrThrow({ where: { id: h.id } });
    expect(now).toMatchObject({ enabled: false, failingSince: t0 });
    expect(now.disabledReason).toBe('nothing delivered for 24 h; the last attempt: ECONNREFUSED');
    // A disabled webhook gets no new events.
    expect(await repo.addEvent('account.parked', 'evt_c', '{}')).toEqual([]);
  });
});
