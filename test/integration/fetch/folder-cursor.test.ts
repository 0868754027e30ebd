import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { serverMessages, uidValidityOf } from '../../helpers/mailbox-state.js';

// What of a kept mailbox is handled: the IMAP folder cursor, several folders, UIDVALIDITY changes,
// and the initial import of mail that was there before the account.
let dc: Dovecot;
let w: FetchWorld;
let next = 0;
const logged: string[] = [];
beforeAll(async () => {
  dc = await startDovecot({ users: 10, noTls: true });
  w = await createFetchWorld(dc, {
    logger: createLogger({ level: 'warn' }, { write: (line: string) => void logged.push(line) }),
  });
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

const fetch = (accountId: number) => w.runtime.service.fetchAccount({ accountId, trigger: 'manual' });
const user = () => dc.users[next++]!;
const ticketsOf = async (accountId: number) => (await w.tickets()).filter((t) => t.data.accountId === accountId);
const lastYear = new Date(Date.now() - 365 * 24 * 3600 * 1000);

describe('IMAP folder cursor', () => {
  it('a changed UIDVALIDITY reads the folder again, recognises every message, makes no ticket twice, and says so', async () => {
    const u = user();
    await dc.seed(u, 5, 1200, { prefix: 'uidvalidity' });
    const id = await w.account('IMAP', u, { afterFetch: 'keep' });
    expect(await fetch(id)).toMatchObject({ counts: { fetched: 5 } });
    const before = await uidValidityOf(dc, u);
    await dc.doveadm('mailbox', 'update', '--uid-validity', String(before + 1000), '-u', u, 'INBOX');
    const run = await fetch(id);
    expect(run).toMatchObject({ outcome: 'success', counts: { fetched: 0, duplicates: 5, dispatched: 0 } });
    expect(run.counts.warnings.join('\n')).toContain(`changed from ${before} to ${before + 1000}`);
    expect(await ticketsOf(id)).toHaveLength(5);
    const rows = await w.runtime.prisma.inboundMessage.findMany({ where: { accountId: id } });
    expect(new Set(rows.map((r) => Number(r.uidValidity)))).toEqual(new Set([before + 1000]));
    const history = await w.runtime.prisma.fetchRun.findUnique({ where: { id: BigInt(run.runId!) } });
    expect(history!.warnings.join('\n')).toContain('UIDVALIDITY');
    expect(logged.some((l) => l.includes('fetch run warnings') && l.includes(`changed from ${before}`))).toBe(true);
    // the new cursor holds: nothing is read again
    expect(await fetch(id)).toMatchObject({ counts: { fetched: 0, duplicates: 0, bytes: 0 } });
  });

  it('reads several folders, each with its own cursor, and leaves the others alone', async () => {
    const u = user();
    await dc.seed(u, 2, 1000, { prefix: 'inbox' });
    await dc.seed(u, 3, 1000, { prefix: 'de', folder: 'Support/DE' });
    await dc.seed(u, 4, 1000, { prefix: 'other', folder: 'Other' });
    const id = await w.account('IMAP', u, { afterFetch: 'keep', imapFolders: ['INBOX', 'Support/DE'] });
    expect(await fetch(id)).toMatchObject({ outcome: 'success', counts: { fetched: 5 } });
    const cursors = await w.runtime.prisma.folderCursor.findMany({
      where: { accountId: id },
      orderBy: { folder: 'asc' },
    });
    expect(cursors.map((c) => [c.folder, Number(c.lastUid)])).toEqual([
      ['INBOX', 2],
      ['Support/DE', 3],
    ]);
    await dc.seed(u, 1, 1000, { prefix: 'de-new', folder: 'Support/DE' });
    expect(await fetch(id)).toMatchObject({ counts: { fetched: 1, duplicates: 0 } });
    const rows = await w.runtime.prisma.inboundMessage.findMany({ where: { accountId: id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.folder)).toEqual([
      'INBOX',
      'INBOX',
      'Support/DE',
      'Support/DE',
      'Support/DE',
      'Support/DE',
    ]);
    expect((await serverMessages(dc, u, 'Other')).map((m) => m.flags)).toEqual(Array(4).fill([]));
  });

  it('a missing folder among several fails the run once the others are read', async () => {
    const u = user();
    await dc.seed(u, 2, 1000, { prefix: 'present' });
    const id = await w.account('IMAP', u, { imapFolders: ['Absent', 'INBOX'] });
    const run = await fetch(id);
    expect(run).toMatchObject({ outcome: 'failed', error: { code: 'MAIL_FOLDER_MISSING' }, counts: { fetched: 2 } });
    expect(dc.count(u)).toBe(0);
  });
});

describe.each(['IMAP', 'POP3'] as const)('%s initial import', (type) => {
  it('none: mail that was there before the account stays untouched, even with delete; later mail is fetched', async () => {
    const u = user();
    await dc.seed(u, 3, 1000, { prefix: `old-${type}`, date: lastYear });
    const id = await w.account(type, u, { initialImport: 'none' });
    const first = await fetch(id);
    expect(first).toMatchObject({ outcome: 'success', counts: { fetched: 0, deleted: 0 } });
    expect(first.counts.warnings.join('\n')).toContain('stay on the server untouched (3 in this run)');
    await dc.seed(u, 2, 1000, { prefix: `new-${type}` });
    expect(await fetch(id)).toMatchObject({ counts: { fetched: 2, deleted: 2 } });
    expect(dc.count(u)).toBe(3);
    expect(await fetch(id)).toMatchObject({ counts: { fetched: 0, deleted: 0 } });
    expect(dc.count(u)).toBe(3);
  });

  it('since: only mail from that date on', async () => {
    const u = user();
    await dc.seed(u, 2, 1000, { prefix: `older-${type}`, date: new Date(Date.now() - 40 * 24 * 3600 * 1000) });
    await dc.seed(u, 3, 1000, { prefix: `newer-${type}`, date: new Date(Date.now() - 5 * 24 * 3600 * 1000) });
    const since = new Date(Date.now() - 10 * 24 * 3600 * 1000).toISOString();
    const id = await w.account(type, u, { initialImport: 'since', importSince: since, afterFetch: 'keep' });
    expect(await fetch(id)).toMatchObject({ outcome: 'success', counts: { fetched: 3 } });
    const subjects = (await w.messages(id)).map((m) => m.subject);
    expect(subjects.every((s) => s?.startsWith(`newer-${type}`))).toBe(true);
    expect(await fetch(id)).toMatchObject({ counts: { fetched: 0, bytes: 0 } });
    expect(dc.count(u)).toBe(5);
  });
});
