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
import { startReceiver, type Receiver } from '../../helpers/http-receiver.js';

// The webhooks role with MAILDUCT_FORWARD_TICKETS=true: a ticket job on the `tickets` queue, as
// the fetcher adds it, arrives at a real HTTP receiver as a signed ticket.dispatched event with
// the job's data, and the ticket job is done (consumed). Published twice: delivered once.
let ctx: TestContext;
let infra: Infrastructure;
let role: RunningWebhooks;
let receiver: Receiver;
let url: string;

beforeAll(async () => {
  ctx = await createTestContext({ MAILDUCT_FORWARD_TICKETS: 'true', MAILDUCT_WEBHOOK_ALLOW_PRIVATE: 'true' });
  receiver = await startReceiver();
  url = `${receiver.base}/tickets`;
  infra = createInfrastructure(loadConfig(ctx.env), { name: 'test-webhooks' });
  role = await startWebhooks(infra, createLogger({ level: 'silent' }));
});
afterAll(async () => {
  await role?.close();
  await infra?.close();
  await receiver?.close();
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
    await waitFor('the event', async () => receiver.got.length === 1, 10_000);
    const event = new Webhook(secret).verify(receiver.got[0]!.body, receiver.got[0]!.headers) as {
      type: string;
      data: unknown;
    };
    expect(event).toMatchObject({ type: 'ticket.dispatched', schemaVersion: 1, data: ticket });
    expect(receiver.got[0]!.headers['webhook-id']).toBe('evt_ticket-dispatched_77');
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
    expect(receiver.got).toHaveLength(1);
  });
});
