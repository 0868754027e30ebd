import { hash } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from '@mailduct/core/db';
import { buildRoutingTable } from '@mailduct/core/dispatch';
import { decide, originOf } from '@mailduct/core/fetch';
import { PgMessageStore, type IncomingRaw } from '@mailduct/core/store';
import { createTestContext, type TestContext } from '../../helpers/context.js';

// The server identity (folder, UIDVALIDITY, UID) is the de-duplication key of stored mail.
let ctx: TestContext;
let pool: pg.Pool;
let store: PgMessageStore;
let accountId: number;
const table = buildRoutingTable([{ id: 2, name: 'Raw', valid: true }], [], 'Raw');
const arrived = new Date('2026-11-30T08:15:00.000Z');

beforeAll(async () => {
  ctx = await createTestContext();
  pool = createPgPool(ctx.databaseUrl);
  store = new PgMessageStore(pool);
  const r = await pool.query(
    `INSERT INTO mail_account (type, host, port, username, password_enc, dispatch_by, imap_folder, imap_folders)
     VALUES ('IMAP', 'mail.example.test', 143, 'desk', 'x', 'to', 'INBOX', ARRAY['INBOX']) RETURNING id`,
  );
  accountId = r.rows[0].id;
});
afterAll(async () => {
  await pool?.end();
  await ctx?.drop();
});

let serial = 0;
function imapMail(text: string, uid: number, uidValidity = 7, folder = 'INBOX', internalDate = arrived): IncomingRaw {
  const raw = Buffer.from(
    `To: desk@example.test\r\nSubject: ${text}\r\nMessage-ID: <${text.replace(/\W/g, '')}@x>\r\n\r\n${text}\r\n`,
  );
  return {
    sha256: hash('sha256', raw, 'hex'),
    size: raw.length,
    raw,
    remoteId: String(uid),
    origin: originOf({ folder, uidValidity }, String(uid), internalDate),
    verdict: decide(raw, { trusted: false, dispatch: { by: 'to' } }, table),
  };
}

async function row(id: number) {
  const { rows } = await pool.query(
    'SELECT source, folder, uid_validity::int AS uid_validity, remote_id, internal_date FROM inbound_message WHERE id = $1',
    [id],
  );
  return rows[0];
}

describe('server identity', () => {
  it('records folder, UIDVALIDITY, UID and INTERNALDATE, and finds the message by them again', async () => {
    const m = imapMail('recorded', ++serial);
    const [first] = await store.put(accountId, [m]);
    expect(await row(first!.id)).toEqual({
      source: `imap:7:${serial}:INBOX`,
      folder: 'INBOX',
      uid_validity: 7,
      remote_id: String(serial),
      internal_date: arrived,
    });
    expect((await store.put(accountId, [m]))[0]).toMatchObject({ id: first!.id, isNew: false });
  });

  it('makes two messages of identical bytes under two UIDs, in one batch or in two', async () => {
    const a = imapMail('identical', ++serial);
    const b = imapMail('identical', ++serial);
    const refs = await store.put(accountId, [a, b]);
    expect(refs.map((r) => r.isNew)).toEqual([true, true]);
    expect(refs[0]!.id).not.toBe(refs[1]!.id);
    const c = imapMail('identical', ++serial);
    expect((await store.put(accountId, [c]))[0]).toMatchObject({ isNew: true });
  });

  it('the same bytes in another folder, or in the same folder at another time, are other messages', async () => {
    const a = imapMail('two folders', ++serial);
    await store.put(accountId, [a]);
    const elsewhere = imapMail('two folders', 1, 9, 'Support/DE');
    expect((await store.put(accountId, [elsewhere]))[0]).toMatchObject({ isNew: true });
    const later = imapMail('two folders', ++serial, 8, 'INBOX', new Date(arrived.getTime() + 60_000));
    expect((await store.put(accountId, [later]))[0]).toMatchObject({ isNew: true });
  });

  it('after a UIDVALIDITY change, recognises a message by folder, bytes and INTERNALDATE and gives it its new identity', async () => {
    const before = imapMail('survives a new UIDVALIDITY', ++serial, 7);
    const [first] = await store.put(accountId, [before]);
    const after = imapMail('survives a new UIDVALIDITY', 3, 70);
    expect((await store.put(accountId, [after]))[0]).toMatchObject({ id: first!.id, isNew: false });
    expect(await row(first!.id)).toMatchObject({ source: 'imap:70:3:INBOX', uid_validity: 70, remote_id: '3' });
    // a second identical message of the new generation is a message of its own
    expect((await store.put(accountId, [imapMail('survives a new UIDVALIDITY', 4, 70)]))[0]).toMatchObject({
      isNew: true,
    });
  });

  it('a UID given again to other bytes (a broken server) stores the new message, known by its bytes', async () => {
    const uid = ++serial;
    const [first] = await store.put(accountId, [imapMail('first holder of the UID', uid)]);
    const [second] = await store.put(accountId, [imapMail('second holder of the UID', uid)]);
    expect(second).toMatchObject({ isNew: true });
    expect(second!.id).not.toBe(first!.id);
    expect((await row(second!.id)).source).toBeNull();
    // downloaded again after a crash: still that one row
    expect((await store.put(accountId, [imapMail('second holder of the UID', uid)]))[0]).toMatchObject({
      id: second!.id,
      isNew: false,
    });
  });

  it('a row stored before identities were recorded is found by its bytes and UID, and takes its identity', async () => {
    const m = imapMail('stored by an older mailduct', ++serial);
    const [first] = await store.put(accountId, [{ ...m, origin: { ...m.origin, source: null, uidValidity: null } }]);
    expect((await row(first!.id)).source).toBeNull();
    expect((await store.put(accountId, [m]))[0]).toMatchObject({ id: first!.id, isNew: false });
    expect((await row(first!.id)).source).toBe(m.origin.source);
  });
});
