import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';

// The same bytes delivered again are a new message once the first copy is deleted on the server
// (OTOBO makes two tickets); only a copy still on the server (a re-download after a crash) is the
// same message.
let dc: Dovecot;
let w: FetchWorld;
let file: string;
beforeAll(async () => {
  dc = await startDovecot({ users: 4, noTls: true });
  w = await createFetchWorld(dc);
  file = join(mkdtempSync(join(tmpdir(), 'mailduct-redelivery-')), 'same.eml');
  writeFileSync(file, 'From: customer@example.com\r\nTo: support@example.com\r\nSubject: printer broken\r\nMessage-ID: <same@example.com>\r\n\r\nIt is broken again.\r\n');
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

describe.each(['IMAP', 'POP3'] as const)('%s: identical bytes', (type) => {
  it('delivered again after the first copy was fetched: a second message with its own ticket', async () => {
    const user = dc.users[type === 'IMAP' ? 0 : 1]!;
    const id = await w.account(type, user);
    await dc.deliver(user, [file]);
    expect(await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({ outcome: 'success', counts: { fetched: 1, duplicates: 0 } });
    await dc.deliver(user, [file]);
    expect(await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({ outcome: 'success', counts: { fetched: 1, duplicates: 0, dispatched: 1 } });
    const rows = await w.runtime.prisma.inboundMessage.findMany({ where: { accountId: id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.delivery)).toEqual([0, 1]);
    expect(new Set(rows.map((r) => r.sha256)).size).toBe(1);
    expect((await w.tickets()).filter((t) => t.data.accountId === id).map((t) => t.data.messageId).sort()).toEqual(rows.map((r) => Number(r.id)).sort());
    expect(dc.count(user)).toBe(0);
  });

  it('twice in one mailbox at once: stored once, the copy counted as a duplicate', async () => {
    const user = dc.users[type === 'IMAP' ? 2 : 3]!;
    const id = await w.account(type, user);
    await dc.deliver(user, [file, file]);
    expect(await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({ outcome: 'success', counts: { fetched: 1, duplicates: 1, deleted: 2 } });
    expect(await w.runtime.prisma.inboundMessage.count({ where: { accountId: id } })).toBe(1);
  });
});
