import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { serverMessages } from '../../helpers/mailbox-state.js';

// Keeping and moving on servers with less: IMAP without MOVE and UIDPLUS, POP3 whose UIDLs
// identify nothing (every message the same UIDL). Real Dovecot, configured that way.
let dc: Dovecot;
let w: FetchWorld;
beforeAll(async () => {
  dc = await startDovecot({ users: 4, noTls: true });
  await dc.configure(
    [
      'protocol imap {',
      '  imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE',
      '}',
      'protocol pop3 {',
      '  pop3_uidl_format = %v',
      '}',
    ].join('\n'),
  );
  w = await createFetchWorld(dc);
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

const fetch = (accountId: number) => w.runtime.service.fetchAccount({ accountId, trigger: 'manual' });

describe('IMAP without MOVE and UIDPLUS', () => {
  it('moveTo copies the stored messages and expunges exactly those from the inbox', async () => {
    const u = dc.users[0]!;
    await dc.seed(u, 5, 1200, { prefix: 'old-move' });
    await dc.doveadm('mailbox', 'create', '-u', u, 'Done');
    const id = await w.account('IMAP', u, { afterFetch: 'moveTo', moveToFolder: 'Done' });
    expect(await fetch(id)).toMatchObject({ outcome: 'success', counts: { fetched: 5 } });
    expect(dc.count(u)).toBe(0);
    expect((await serverMessages(dc, u, 'Done')).map((m) => m.flags)).toEqual(Array(5).fill([]));
    expect(await fetch(id)).toMatchObject({ counts: { fetched: 0 } });
    expect(dc.count(u, 'Done')).toBe(5);
  });

  it('markSeen flags only the stored messages', async () => {
    const u = dc.users[1]!;
    await dc.seed(u, 3, 1200, { prefix: 'old-seen' });
    const id = await w.account('IMAP', u, { afterFetch: 'markSeen' });
    expect(await fetch(id)).toMatchObject({ outcome: 'success', counts: { fetched: 3 } });
    expect((await serverMessages(dc, u)).map((m) => m.flags)).toEqual(Array(3).fill(['\\Seen']));
  });
});

describe('POP3 keep without usable UIDLs', () => {
  it('downloads the kept messages again each run, recognises them by their bytes, and makes no ticket twice', async () => {
    const u = dc.users[2]!;
    await dc.seed(u, 3, 1200, { prefix: 'no-uidl' });
    const id = await w.account('POP3', u, { afterFetch: 'keep' });
    expect(await fetch(id)).toMatchObject({ outcome: 'success', counts: { fetched: 3 } });
    const again = await fetch(id);
    expect(again).toMatchObject({ outcome: 'success', counts: { fetched: 0, duplicates: 3 } });
    expect(dc.count(u)).toBe(3);
    expect((await w.tickets()).filter((t) => t.data.accountId === id)).toHaveLength(3);
  });
});
