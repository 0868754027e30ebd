import { MessageEventLog } from '../fetch/message-events.js';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { TicketPayloadV1 } from '../jobs/index.js';
import { isWebhookEvent, webhookEventBody, webhookEventId, WEBHOOK_EVENTS } from './webhook-events.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const schema = (name: string) => JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8'));
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
ajv.addSchema(schema('ticket-dispatched.v1.json'));
const validate = ajv.compile(schema('webhook-event.v1.json'));
const at = new Date('2026-12-03T10:00:00Z');

const ticket: TicketPayloadV1 = {
  schemaVersion: 1,
  messageId: 12,
  accountId: 3,
  queue: { id: 1, name: 'Raw' },
  dispatch: { by: 'default', matchedAddress: null, header: null, reason: 'no system address matched' },
  trusted: false,
  otobo: {},
  strippedOtoboHeaders: [],
  loop: { loop: false, reasons: [] },
  followUp: { ticketNumbers: [], inReplyTo: null, references: [] },
  headers: {
    from: [{ name: 'Ann', address: 'ann@example.com' }],
    to: [],
    cc: [],
    replyTo: [],
    subject: 'Printer',
    date: null,
    messageId: null,
    inReplyTo: null,
    references: [],
  },
  size: 1200,
  sha256: 'a'.repeat(64),
  receivedAt: at.toISOString(),
  links: { message: '/api/v1/messages/12', raw: '/api/v1/messages/12/raw', parsed: '/api/v1/messages/12/parsed' },
};
const account = {
  accountId: 3,
  type: 'IMAPS',
  host: 'outlook.office365.com',
  username: 'desk@example.com',
  consecutiveFailures: 3,
  error: { class: 'auth', code: 'AUTH_FAILED', message: 'the server refused the login' },
  parkedReason: null,
};
const valid = (body: string) => {
  const ok = validate(JSON.parse(body));
  return ok ? true : JSON.stringify(validate.errors);
};

describe(webhookEventBody.name, () => {
  it('builds bodies the published schema accepts, for every kind of event', () => {
    expect(valid(webhookEventBody('ticket.dispatched', ticket, at))).toBe(true);
    for (const type of ['account.failed', 'account.parked', 'account.reauthorization_required'] as const)
      expect(valid(webhookEventBody(type, account, at))).toBe(true);
    expect(valid(webhookEventBody('account.recovered', { ...account, consecutiveFailures: 0, error: null }, at))).toBe(
      true,
    );
    // The message events as a run builds them (IMAP and POP3).
    const log = new MessageEventLog(3, 32 << 20);
    for (const folder of ['INBOX', null]) {
      log.forFolder(folder).oversized({ id: '17', seq: 1, size: 60_000_000 });
      log.forFolder(folder).quarantined({ id: 9, size: 80, subject: 'Scan', reason: 'no header fields found' });
    }
    expect(log.events.map((e) => e.type)).toEqual(['message.oversized', 'message.quarantined', 'message.oversized']);
    for (const e of log.events) expect(valid(webhookEventBody(e.type, e.data, at))).toBe(true);
  });

  it('is refused by the schema when an event carries the wrong data', () => {
    expect(valid(webhookEventBody('ticket.dispatched', account, at))).not.toBe(true);
    expect(valid(webhookEventBody('account.failed', ticket, at))).not.toBe(true);
    expect(validate({ type: 'account.deleted', timestamp: at.toISOString(), schemaVersion: 1, data: {} })).toBe(false);
  });

  it('has the envelope fields in a fixed order, with the time in UTC', () => {
    expect(webhookEventBody('account.recovered', { a: 1 }, at)).toBe(
      '{"type":"account.recovered","timestamp":"2026-12-03T10:00:00.000Z","schemaVersion":1,"data":{"a":1}}',
    );
  });
});

describe(webhookEventId.name, () => {
  it('is the same for one event and differs between events and subjects', () => {
    expect(webhookEventId('ticket.dispatched', 12)).toBe('evt_ticket-dispatched_12');
    expect(webhookEventId('ticket.dispatched', 12)).toBe(webhookEventId('ticket.dispatched', 12));
    expect(webhookEventId('account.failed', 12)).not.toBe(webhookEventId('account.parked', 12));
    expect(webhookEventId('account.failed', 'run:7/x')).toBe('evt_account-failed_run-7-x');
  });
});

describe(isWebhookEvent.name, () => {
  it('knows the catalogue and nothing else', () => {
    for (const e of WEBHOOK_EVENTS) expect(isWebhookEvent(e)).toBe(true);
    expect(isWebhookEvent('ticket.deleted')).toBe(false);
  });
});
