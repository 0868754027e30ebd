import { hash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from '@mailduct/core/db';
import { decide } from '@mailduct/core/fetch';
import { createLogger } from '@mailduct/core/log';
import { PgMessageStore } from '@mailduct/core/store';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { testFetchRuntime, type TestFetchRuntime } from '../../helpers/runtime.js';

let t: TestApi;
let dc: Dovecot;
let fetcher: TestFetchRuntime;
let accountId: number;
const dir = mkdtempSync(join(tmpdir(), 'mailduct-msg-'));
const RAW =
  'From: Ann <ann@x.example>\r\nTo: support@example.com\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nMessage-ID: <m1@x>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello there\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="invoice.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n';

beforeAll(async () => {
  [t, dc] = await Promise.all([createTestApi(), startDovecot({ users: 1 })]);
  fetcher = testFetchRuntime(t.ctx.config, createLogger({ level: 'silent' }));
  writeFileSync(join(dir, 'a.eml'), RAW);
  writeFileSync(join(dir, 'broken.eml'), '\r\n\r\nno headers at all\r\n');
  await dc.deliver(dc.users[0]!, [join(dir, 'a.eml'), join(dir, 'broken.eml')]);
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/mail-accounts',
    headers: t.auth,
    payload: { type: 'IMAP', host: 'localhost', port: dc.imapPort, username: dc.users[0], password: dc.password },
  });
  accountId = created.json().id;
  await fetcher.service.fetchAccount({ accountId, trigger: 'manual' });
});
afterAll(async () => {
  await fetcher?.close();
  await t?.close();
  await dc?.stop();
});

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: t.auth });

describe('/api/v1/messages', () => {
  it('lists stored messages with their outcome, without bytes, filterable by account and status', async () => {
    const all = (await get(`/api/v1/messages?accountId=${accountId}`)).json();
    expect(all.total).toBe(2);
    expect(all.items[0]).not.toHaveProperty('raw');
    const dispatched = (await get('/api/v1/messages?status=dispatched')).json();
    expect(dispatched.items).toHaveLength(1);
    expect(dispatched.items[0]).toMatchObject({
      accountId,
      status: 'dispatched',
      subject: 'Grüße',
      from: 'ann@x.example',
      queue: { name: 'Raw' },
      messageIdHeader: '<m1@x>',
    });
    expect((await get('/api/v1/messages?status=quarantined')).json().items[0]).toMatchObject({
      status: 'quarantined',
      error: 'no header fields found',
    });
    expect((await get('/api/v1/messages?q=gr%C3%BC')).json().total).toBe(1);
    expect((await get('/api/v1/messages?status=lost')).statusCode).toBe(400);
  });

  it('serves the raw mail byte for byte as message/rfc822', async () => {
    const { items } = (await get('/api/v1/messages?status=dispatched')).json();
    const res = await get(`/api/v1/messages/${items[0].id}/raw`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^message\/rfc822/);
    expect(res.rawPayload.equals(Buffer.from(RAW))).toBe(true);
  });

  it('serves the full parse with attachment metadata, cached on the row', async () => {
    const { items } = (await get('/api/v1/messages?status=dispatched')).json();
    const first = await get(`/api/v1/messages/${items[0].id}/parsed`);
    expect(first.json()).toMatchObject({
      subject: 'Grüße',
      text: 'Hello there',
      attachments: [{ filename: 'invoice.pdf', contentType: 'application/pdf', size: 9 }],
    });
    const row = await t.deps.prisma.inboundMessage.findUnique({
      where: { id: BigInt(items[0].id) },
      select: { parsed: true },
    });
    expect(row?.parsed).not.toBeNull();
    expect((await get(`/api/v1/messages/${items[0].id}/parsed`)).json()).toEqual(first.json());
  });

  it('parses again what an older version cached (before text parts with a file name were attachments)', async () => {
    const { items } = (await get('/api/v1/messages?status=dispatched')).json();
    const stale = { subject: 'Grüße', date: null, text: 'stale', html: null, attachments: [], error: null };
    await t.deps.prisma.inboundMessage.update({ where: { id: BigInt(items[0].id) }, data: { parsed: stale } });
    const parsed = (await get(`/api/v1/messages/${items[0].id}/parsed`)).json();
    expect(parsed).toMatchObject({ text: 'Hello there', attachments: [{ filename: 'invoice.pdf' }] });
    expect(parsed).not.toHaveProperty('version');
  });

  it('the migration quarantines rows an early version left stored without a verdict; reprocessing dispatches them', async () => {
    const { items } = (await get('/api/v1/messages?status=dispatched')).json();
    const id = BigInt(items[0].id);
    await t.deps.prisma.inboundMessage.update({ where: { id }, data: { status: 'stored', dispatchedAt: null } });
    const sql = readFileSync(
      join(process.cwd(), 'prisma/migrations/20261202000300_quarantine_legacy_stored/migration.sql'),
      'utf8',
    );
    await t.deps.prisma.$executeRawUnsafe(sql);
    const row = await t.deps.prisma.inboundMessage.findUniqueOrThrow({
      where: { id },
      select: { status: true, error: true },
    });
    expect(row).toEqual({ status: 'quarantined', error: expect.stringMatching(/early version.*reprocess/) });
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/messages/${id}/reprocess`, headers: t.auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'dispatched', error: null });
  });

  it('answers 404 for an unknown message and 400 for a bad id', async () => {
    expect((await get('/api/v1/messages/99999999')).json().error.code).toBe('MESSAGE_NOT_FOUND');
    expect((await get('/api/v1/messages/99999999/raw')).statusCode).toBe(404);
    expect((await get('/api/v1/messages/abc')).statusCode).toBe(400);
  });

  it('reprocesses a quarantined message with the account settings, and refuses other statuses', async () => {
    const quarantined = (await get('/api/v1/messages?status=quarantined')).json().items[0];
    // Fix what made it fail: here the mail itself cannot change, so it is quarantined again.
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${quarantined.id}/reprocess`,
      headers: t.auth,
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('quarantined');
    const dispatched = (await get('/api/v1/messages?status=dispatched')).json().items[0];
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${dispatched.id}/reprocess`,
      headers: t.auth,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('MESSAGE_NOT_REPROCESSABLE');
  });

  it('reprocessing dispatches a quarantined message and enqueues its ticket', async () => {
    // A message quarantined by an earlier bug: parseable, but marked quarantined.
    const { items } = (await get('/api/v1/messages?status=dispatched')).json();
    await t.deps.prisma.inboundMessage.update({
      where: { id: BigInt(items[0].id) },
      data: { status: 'quarantined', queueId: null, error: 'simulated' },
    });
    await t.deps.queues.tickets.obliterate({ force: true });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/messages/${items[0].id}/reprocess`,
      headers: t.auth,
    });
    expect(res.json()).toMatchObject({ status: 'dispatched', queue: { name: 'Raw' }, error: null });
    const job = await t.deps.queues.tickets.getJob(`msg-${items[0].id}`);
    expect(job?.data).toMatchObject({ messageId: items[0].id, trusted: false, queue: { name: 'Raw' } });
  });
});

describe('/api/v1/messages/:id/parsed of a mail PostgreSQL cannot hold as JSON text', () => {
  it('serves and caches the parse of a body with NUL bytes (jsonb refuses U+0000)', async () => {
    const pool = createPgPool(t.ctx.databaseUrl);
    try {
      const raw = Buffer.from(
        'From: ann@x.example\r\nTo: support@example.com\r\nSubject: nul\r\nContent-Type: text/plain\r\n\r\nbefore\u0000after\r\n',
        'latin1',
      );
      const verdict = decide(
        raw,
        { trusted: false, dispatch: { by: 'to' } },
        { addresses: new Map(), queues: new Map([[2, { id: 2, name: 'Raw', valid: true }]]), defaultQueueName: 'Raw' },
      );
      const [ref] = await new PgMessageStore(pool).put(accountId, [
        {
          sha256: hash('sha256', raw, 'hex'),
          size: raw.length,
          raw,
          remoteId: 'nul',
          origin: { folder: null, uidValidity: null, internalDate: null, source: 'pop3:nul' },
          verdict,
        },
      ]);
      const res = await get(`/api/v1/messages/${ref!.id}/parsed`);
      expect(res.statusCode).toBe(200);
      expect(res.json().text).toBe('before\uFFFDafter\n');
      const row = await t.deps.prisma.inboundMessage.findUnique({
        where: { id: BigInt(ref!.id) },
        select: { parsed: true },
      });
      expect(row?.parsed).toMatchObject({ text: 'before\uFFFDafter\n' });
    } finally {
      await pool.end();
    }
  });
});
