import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { serverMessages } from '../../helpers/mailbox-state.js';

// The after-fetch policy end to end: what stays on the server, with which flags, in which folder.
let dc: Dovecot;
let w: FetchWorld;
let next = 0;
beforeAll(async () => {
  dc = await startDovecot({ users: 10, noTls: true });
  w = await createFetchWorld(dc);
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

const fetch = (accountId: number) => w.runtime.service.fetchAccount({ accountId, trigger: 'manual' });
const user = () => dc.users[next++]!;

async function ticketsOf(accountId: number) {
  return (await w.tickets()).filter((t) => t.data.accountId === accountId);
}

describe.each(['IMAP', 'POP3'] as const)('%s afterFetch keep', (type) => {
  it('stores and dispatches every message, leaves all on the server unflagged, and fetches none twice', async () => {
    const u = user();
    await dc.seed(u, 3, 2000, { prefix: `keep-${type}` });
    const id = await w.account(type, u, { afterFetch: 'keep' });
    expect(await fetch(id)).toMatchObject({ outcome: 'success', counts: { fetched: 3, dispatched: 3, deleted: 0 } });
    expect(dc.count(u)).toBe(3);
    if (type === 'IMAP') expect((await serverMessages(dc, u)).map((m) => m.flags)).toEqual([[], [], []]);
    const again = await fetch(id);
    expect(again).toMatchObject({ outcome: 'success', counts: { fetched: 0, duplicates: 0, bytes: 0 } });
    await dc.seed(u, 2, 2000, { prefix: `keep-${type}-new` });
    expect(await fetch(id)).toMatchObject({ counts: { fetched: 2, duplicates: 0 } });
    expect(dc.count(u)).toBe(5);
    expect(await ticketsOf(id)).toHaveLength(5);
    const rows = await w.runtime.prisma.inboundMessage.findMany({ where: { accountId: id } });
    expect(rows.map((r) => r.serverAction)).toEqual(Array(5).fill('kept'));
    expect(rows.every((r) => r.deletedOnServerAt === null && r.source !== null)).toBe(true);
  });
});

describe('POP3 afterFetch keep', () => {
  it('forgets the UIDLs of messages the server no longer lists', async () => {
    const u = user();
    await dc.seed(u, 3, 1000, { prefix: 'forget' });
    const id = await w.account('POP3', u, { afterFetch: 'keep' });
    expect(await fetch(id)).toMatchObject({ counts: { fetched: 3 } });
    const remembered = () => w.runtime.prisma.pop3SeenUidl.count({ where: { accountId: id } });
    expect(await remembered()).toBe(3);
    await dc.doveadm('expunge', '-u', u, 'mailbox', 'INBOX', 'uid', '2');
    expect(await fetch(id)).toMatchObject({ counts: { fetched: 0, bytes: 0 } });
    expect(await remembered()).toBe(2);
  });
});

describe('IMAP afterFetch markSeen and moveTo', () => {
  it('markSeen: sets \\Seen on exactly the stored messages, and fetches none twice', async () => {
    const u = user();
    await dc.seed(u, 3, 1500, { prefix: 'seen' });
    const id = await w.account('IMAP', u, { afterFetch: 'markSeen' });
    expect(await fetch(id)).toMatchObject({ outcome: 'success', counts: { fetched: 3 } });
    expect((await serverMessages(dc, u)).map((m) => m.flags)).toEqual([['\\Seen'], ['\\Seen'], ['\\Seen']]);
    await dc.seed(u, 1, 1500, { prefix: 'seen-new' });
    expect(await fetch(id)).toMatchObject({ counts: { fetched: 1, duplicates: 0 } });
    expect((await serverMessages(dc, u)).map((m) => m.flags)).toEqual(Array(4).fill(['\\Seen']));
    expect(await ticketsOf(id)).toHaveLength(4);
  });

  it('moveTo: moves the stored messages to the folder, unflagged, and leaves the inbox empty', async () => {
    const u = user();
    await dc.seed(u, 4, 1500, { prefix: 'move' });
    await dc.doveadm('mailbox', 'create', '-u', u, 'Archive/Done');
    const id = await w.account('IMAP', u, { afterFetch: 'moveTo', moveToFolder: 'Archive/Done' });
    expect(await fetch(id)).toMatchObject({ outcome: 'success', counts: { fetched: 4 } });
    expect(dc.count(u)).toBe(0);
    expect((await serverMessages(dc, u, 'Archive/Done')).map((m) => m.flags)).toEqual(Array(4).fill([]));
    expect(await fetch(id)).toMatchObject({ counts: { fetched: 0 } });
    const rows = await w.runtime.prisma.inboundMessage.findMany({ where: { accountId: id } });
    expect(rows.every((r) => r.serverAction === 'moved' && r.deletedOnServerAt !== null)).toBe(true);
  });

  it('moveTo a folder that does not exist: a config error naming it, nothing stored, moved or deleted', async () => {
    const u = user();
    await dc.seed(u, 2, 1500, { prefix: 'move-missing' });
    const id = await w.account('IMAP', u, { afterFetch: 'moveTo', moveToFolder: 'Nowhere' });
    const run = await fetch(id);
    expect(run).toMatchObject({ outcome: 'failed', error: { class: 'config', code: 'MAIL_FOLDER_MISSING' } });
    expect(run.error!.message).toContain('"Nowhere"');
    expect(dc.count(u)).toBe(2);
    expect(await w.messages(id)).toEqual([]);
  });
});

describe('a kept mailbox read by two fetchers at once', () => {
  it('makes one message and one ticket of each mail', async () => {
    const u = user();
    await dc.seed(u, 120, 1200, { prefix: 'two-fetchers' });
    const id = await w.account('IMAP', u, { afterFetch: 'keep' });
    const second = await createFetchWorld(
      dc,
      {},
      {
        DATABASE_URL: w.ctx.databaseUrl,
        MAILDUCT_SECRET_KEY: w.ctx.config.secretKey,
        MAILDUCT_QUEUE_PREFIX: w.ctx.prefix,
      },
    );
    try {
      const runs = await Promise.all([
        fetch(id),
        second.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' }),
      ]);
      expect(runs.map((r) => r.outcome).sort()).toEqual(['skipped', 'success']);
      await Promise.all([fetch(id), second.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })]);
    } finally {
      await second.runtime.close();
      await second.ctx.drop();
    }
    expect(await w.messages(id)).toHaveLength(120);
    expect(await ticketsOf(id)).toHaveLength(120);
    expect(dc.count(u)).toBe(120);
  });
});
