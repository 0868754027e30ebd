import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@mailduct/core/config';
import { createInfrastructure, type Infrastructure } from '@mailduct/core/infrastructure';
import { JOBS, ticketJobId } from '@mailduct/core/jobs';
import { createLogger } from '@mailduct/core/log';
import { newWebhookSecret } from '@mailduct/core/webhooks';
import { startWebhooks, type RunningWebhooks } from '@mailduct/webhooks';
import { createTestContext, type TestContext } from '../../helpers/context.js';
import { waitFor } from '../../helpers/processes.js';

// The webhooks role with MAILDUCT_FORWARD_TICKETS=true: a ticket job on the `tickets` queue, as
// the fetcher adds it, arrives at a real HTTP receiver as a signed ticket.dispatched event with
// the job's data, and the ticket job is done (consumed). Published twice: delivered once.
let ctx: TestContext;
let infra: Infrastructure;
let role: RunningWebhooks;
let server: Server;
let url: string;
const got: { headers: Record<string, string>; body: string }[] = [];

beforeAll(async () => {
  ctx = await createTestContext({ MAILDUCT_FORWARD_TICKETS: 'true', MAILDUCT_WEBHOOK_ALLOW_PRIVATE: 'true' });
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    got.push({
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: Buffer.concat(chunks).toString('utf8'),
    });
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tickets`;
  infra = createInfrastructure(loadConfig(ctx.env), { name: 'test-webhooks' });
  role = await startWebhooks(infra, createLogger({ level: 'silent' }));
});
afterAll(async () => {
  await role?.close();
  await infra?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await ctx?.drop();
});

describe('the webhooks role', () => {
  it('forwards each ticket job as a signed ticket.dispatched event, once', async () => {
    const secret = newWebhookSecret();
    await infra.prisma.webhook.create({
      data: { url, events: ['ticket.dispatched'], secretEnc: infra.secrets.seal(secret) },
    });
    const ticket = { schemaVersion: 1, messageId: 77, accountId: 1, headers: { subject: 'Printer' } };
    const tickets = infra.workerQueues.tickets;
    await tickets.add(JOBS.ticketDispatched.name, ticket, { jobId: ticketJobId(77) });
    await waitFor('the event', async () => got.length === 1, 10_000);
    const event = new Webhook(secret).verify(got[0]!.body, got[0]!.headers) as { type: string; data: unknown };
    expect(event).toMatchObject({ type: 'ticket.dispatched', schemaVersion: 1, data: ticket });
    expect(got[0]!.headers['webhook-id']).toBe('evt_ticket-dispatched_77');
    await waitFor(
      'the ticket job to be done',
      async () => (await tickets.getJob(ticketJobId(77)))?.finishedOn !== undefined,
      5_000,
    );

    // The outbox sweep may add a ticket again (Redis lost it): the receiver is not told twice.
    await (await tickets.getJob(ticketJobId(77)))!.remove();
    await tickets.add(JOBS.ticketDispatched.name, ticket, { jobId: ticketJobId(77) });
    await waitFor(
      'the second job to be done',
      async () => (await tickets.getJob(ticketJobId(77)))?.finishedOn !== undefined,
      5_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(got).toHaveLength(1);
  });
});
