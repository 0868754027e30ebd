import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '@mailduct/core/crypto';
import { FAILURES_BEFORE_EVENT, newWebhookSecret } from '@mailduct/core/webhooks';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { closedPort } from '../../helpers/ports.js';

// Account health and message events as webhook events, from real runs on real Dovecot: a
// mailbox whose server is unreachable is reported once when its failures reach the threshold
// (not on every run), and once when it fetches again; mail quarantined is reported once per
// stored message, mail left on the server as too large once per message, not once per run.
let dc: Dovecot;
let w: FetchWorld;
beforeAll(async () => {
  dc = await startDovecot({ users: 3, noTls: true });
  w = await createFetchWorld(dc, {}, { MAILDUCT_MAX_MESSAGE_BYTES: '20000' });
}, 60_000);
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

describe('account events', () => {
  it('sends account.failed once at the threshold and account.recovered on the next success', async () => {
    const prisma = w.runtime.prisma;
    const secretEnc = new SecretBox(w.ctx.config.secretKey).seal(newWebhookSecret());
    const hook = await prisma.webhook.create({
      data: { url: 'https://desk.example.com/h', events: ['account.failed', 'account.recovered'], secretEnc },
    });
    const id = await w.account('IMAP', dc.users[0]!, { port: await closedPort() });
    const events = async () =>
      (await prisma.webhookDelivery.findMany({ where: { webhookId: hook.id }, orderBy: { id: 'asc' } })).map((d) => ({
        type: d.eventType,
        data: JSON.parse(d.body).data,
      }));
    for (let run = 1; run <= FAILURES_BEFORE_EVENT + 2; run++) {
      expect((await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).outcome).toBe('failed');
      expect(await events()).toHaveLength(run < FAILURES_BEFORE_EVENT ? 0 : 1);
    }
    expect((await events())[0]).toEqual({
      type: 'account.failed',
      data: expect.objectContaining({
        accountId: id,
        consecutiveFailures: FAILURES_BEFORE_EVENT,
        error: expect.objectContaining({ class: 'network' }),
      }),
    });

    await prisma.mailAccount.update({ where: { id }, data: { port: dc.imapPort } });
    expect((await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).outcome).toBe('success');
    const after = await events();
    expect(after.map((e) => e.type)).toEqual(['account.failed', 'account.recovered']);
    expect(after[1]!.data).toMatchObject({ accountId: id, consecutiveFailures: 0, error: null });
    // Each has its first delivery job waiting.
    expect(await w.runtime.infra.workerQueues.webhooks.getWaitingCount()).toBe(2);
  });

  for (const type of ['IMAP', 'POP3'] as const)
    it(`sends message.quarantined and message.oversized once each (${type})`, async () => {
      const prisma = w.runtime.prisma;
      const secretEnc = new SecretBox(w.ctx.config.secretKey).seal(newWebhookSecret());
      const hook = await prisma.webhook.create({
        data: { url: 'https://desk.example.com/m', events: ['message.quarantined', 'message.oversized'], secretEnc },
      });
      const user = dc.users[type === 'IMAP' ? 1 : 2]!;
      dc.writeMessages(user, [
        '\r\nno header at all, only a body\r\n',
        `Subject: big\r\n\r\n${'x'.repeat(30_000)}\r\n`,
        'Subject: fine\r\nTo: a@example.com\r\n\r\nhello\r\n',
      ]);
      const id = await w.account(type, user);
      for (let run = 0; run < 2; run++)
        expect(await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({
          outcome: 'success',
          counts: { quarantined: run === 0 ? 1 : 0, oversized: 1 },
        });
      const events = (
        await prisma.webhookDelivery.findMany({ where: { webhookId: hook.id }, orderBy: { eventType: 'asc' } })
      ).map((d) => ({ id: d.eventId, ...(JSON.parse(d.body) as { type: string; data: unknown }) }));
      const [quarantined] = await prisma.inboundMessage.findMany({ where: { accountId: id, status: 'quarantined' } });
      expect(events).toEqual([
        {
          id: expect.stringMatching(/^evt_message-oversized_/),
          type: 'message.oversized',
          timestamp: expect.any(String),
          schemaVersion: 1,
          data: {
            accountId: id,
            messageId: null,
            folder: type === 'IMAP' ? 'INBOX' : null,
            size: expect.any(Number),
            subject: null,
            reason: 'larger than MAILDUCT_MAX_MESSAGE_BYTES (20000 bytes): left on the server',
          },
        },
        {
          id: `evt_message-quarantined_${quarantined!.id}`,
          type: 'message.quarantined',
          timestamp: expect.any(String),
          schemaVersion: 1,
          data: {
            accountId: id,
            messageId: Number(quarantined!.id),
            folder: type === 'IMAP' ? 'INBOX' : null,
            size: expect.any(Number),
            subject: null,
            reason: 'no header fields found',
          },
        },
      ]);
      expect((events[0]!.data as { size: number }).size).toBeGreaterThan(20_000);
    });
});
