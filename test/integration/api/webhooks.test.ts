import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { signWebhook } from '@mailduct/core/webhooks';
import { createTestApi, type TestApi } from '../../helpers/api.js';

// /api/v1/webhooks: the secret shown once and never again, clear 400s naming the field, the
// delivery log, and redelivery of one event as a new job with the same event id.
let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(async () => t?.close());

const req = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth, payload });
const hook = { url: 'https://tickets.example.com/hooks/mailduct', events: ['ticket.dispatched', 'account.parked'] };

describe('/api/v1/webhooks', () => {
  it('creates a webhook and shows its signing secret this once, stored encrypted', async () => {
    const res = await req('POST', '/api/v1/webhooks', { ...hook, description: 'OTOBO' });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ ...hook, enabled: true, description: 'OTOBO', failingSince: null });
    expect(created.secret).toMatch(/^whsec_/);
    // The secret signs as Standard Webhooks verifiers expect.
    const h = signWebhook(created.secret, 'evt_x', Math.floor(Date.now() / 1000), '{}');
    expect(new Webhook(created.secret).verify('{}', { ...h })).toEqual({});
    const again = await req('GET', `/api/v1/webhooks/${created.id}`);
    expect(again.statusCode).toBe(200);
    expect(again.body).not.toContain(created.secret);
    expect((await req('GET', '/api/v1/webhooks')).body).not.toContain(created.secret);
    const row = await t.deps.prisma.webhook.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.secretEnc).not.toContain(created.secret.slice(6));
    const audit = await t.deps.prisma.auditEvent.findFirstOrThrow({ where: { entity: 'webhook', action: 'create' } });
    expect(JSON.stringify(audit.changes)).not.toContain(created.secret.slice(6));
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: [object, string, RegExp][] = [
      [{ ...hook, url: 'http://tickets.example.com/h' }, 'url', /MAILDUCT_WEBHOOK_ALLOW_HTTP/],
      [{ ...hook, url: 'https://u:p@tickets.example.com/h' }, 'url', /user name or password/],
      [{ ...hook, url: 'not a url' }, 'url', /absolute URL/],
      [{ ...hook, events: [] }, 'events', /distinct events/],
      [{ ...hook, events: ['ticket.deleted'] }, 'events.0', /must be one of ticket.dispatched/],
      [{ url: hook.url }, 'events', /./],
    ];
    for (const [body, field, problem] of cases) {
      const res = await req('POST', '/api/v1/webhooks', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field, problem: expect.stringMatching(problem) })]),
      );
    }
    expect((await req('PATCH', '/api/v1/webhooks/99999', { enabled: false })).statusCode).toBe(404);
  });

  it('enabling a webhook mailduct disabled clears its failing state', async () => {
    const { id } = (await req('POST', '/api/v1/webhooks', hook)).json();
    await t.deps.prisma.webhook.update({
      where: { id },
      data: { enabled: false, failingSince: new Date(0), disabledReason: 'nothing delivered for 24 h' },
    });
    expect((await req('GET', `/api/v1/webhooks/${id}`)).json()).toMatchObject({
      enabled: false,
      disabledReason: 'nothing delivered for 24 h',
    });
    const res = await req('PATCH', `/api/v1/webhooks/${id}`, { enabled: true });
    expect(res.json()).toMatchObject({ enabled: true, failingSince: null, disabledReason: null });
  });

  it('shows the delivery log and redelivers one event as a new job', async () => {
    const { id } = (await req('POST', '/api/v1/webhooks', hook)).json();
    const delivery = await t.deps.prisma.webhookDelivery.create({
      data: {
        webhookId: id,
        eventId: 'evt_ticket-dispatched_5',
        eventType: 'ticket.dispatched',
        body: '{}',
        status: 'failed',
        attempts: 1,
      },
    });
    await t.deps.prisma.webhookAttempt.create({
      data: {
        deliveryId: delivery.id,
        attempt: 1,
        statusCode: 410,
        error: 'answered 410',
        latencyMs: 40,
        responseExcerpt: 'gone',
      },
    });
    const log = (await req('GET', `/api/v1/webhooks/${id}/deliveries`)).json().items;
    expect(log).toEqual([
      expect.objectContaining({
        id: String(delivery.id),
        eventId: 'evt_ticket-dispatched_5',
        status: 'failed',
        log: [expect.objectContaining({ attempt: 1, statusCode: 410, latencyMs: 40, response: 'gone' })],
      }),
    ]);
    const res = await req('POST', `/api/v1/webhooks/${id}/deliveries/${delivery.id}/redeliver`);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'pending', attempts: 1 });
    const job = await t.deps.queues.webhooks.getJob(`wd-${delivery.id}-2`);
    expect(job?.data).toEqual({ deliveryId: String(delivery.id) });
    expect((await req('POST', `/api/v1/webhooks/${id}/deliveries/123456/redeliver`)).statusCode).toBe(404);
    expect((await req('POST', `/api/v1/webhooks/${id}/deliveries/abc/redeliver`)).statusCode).toBe(404);
  });

  it('deletes a webhook with its log', async () => {
    const { id } = (await req('POST', '/api/v1/webhooks', hook)).json();
    expect((await req('DELETE', `/api/v1/webhooks/${id}`)).statusCode).toBe(204);
    expect((await req('GET', `/api/v1/webhooks/${id}`)).statusCode).toBe(404);
  });
});
