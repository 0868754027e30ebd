import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailductError } from '@mailduct/core/errors';
import { clientFor, type MailboxClient } from '@mailduct/core/mail';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';

// Over IMAP the next batch is asked for before the current one is stored, so the server serves
// it while the client hashes, parses and stores (docs/BENCHMARKS.md).
// The order of downloads and of the batches' parse-and-store is recorded against a real Dovecot
// and PostgreSQL.

let dc: Dovecot;
let w: FetchWorld;
/**
 * In order: `download <n>` when a batch's download begins, `store <n>` when the batch goes to be
 * parsed and stored (the step before PostgreSQL), n being the seeded number of its first message.
 */
let events: string[] = [];
/** Messages asked for so far in this test (over every session). */
let requested = 0;
/** When set, the download of this batch (1 for the first) takes the account's lock from its holder and fails. */
let stealLockAt: { accountId: number; batch: number } | null = null;

beforeAll(async () => {
  dc = await startDovecot({ users: 4, noTls: true });
  w = await createFetchWorld(dc, {
    clientFactory: (settings, options) => recordingClient(clientFor(settings, options)),
    hooks: {
      inspect: (raw) => {
        const n = Number(/^Subject: \S+ message (\d+)\r?$/m.exec(raw.toString('latin1'))?.[1]);
        if (n % 100 === 1) events.push(`store ${n}`);
      },
    },
  });
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

/** Fetch an account with the record of this run's downloads and stores started afresh. */
function fetchRecorded(accountId: number) {
  events = [];
  requested = 0;
  return w.runtime.service.fetchAccount({ accountId, trigger: 'manual' });
}

function recordingClient(client: MailboxClient): MailboxClient {
  const fetchMany = client.fetchMany.bind(client);
  client.fetchMany = async (messages, caps) => {
    events.push(`download ${requested + 1}`);
    requested += messages.length;
    if (stealLockAt && requested > (stealLockAt.batch - 1) * 100) {
      // Another process took the lock over (this one was paused past its lifetime) and emptied
      // the mailbox: this download finds nothing.
      await w.runtime.redis.set(w.runtime.locks.key(stealLockAt.accountId), 'another-process-token');
      throw new MailductError('MAIL_PROTOCOL', `the server returned none of ${messages.length} listed messages`);
    }
    return fetchMany(messages, caps);
  };
  return client;
}

describe('downloading ahead', () => {
  it('IMAP: each batch is asked for before the one before it is stored; every mail is stored once and deleted', async () => {
    const user = dc.users[0]!;
    await dc.seed(user, 350, 2000, { prefix: 'ahead' });
    const id = await w.account('IMAP', user);
    const outcome = await fetchRecorded(id);
    expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 350, deleted: 350 } });
    expect(events.slice(0, 3)).toEqual(['download 1', 'download 101', 'store 1']);
    for (const n of [1, 101, 201])
      expect(events.indexOf(`download ${n + 100}`)).toBeLessThan(events.indexOf(`store ${n}`));
    expect(events.filter((e) => e.startsWith('download'))).toEqual([
      'download 1',
      'download 101',
      'download 201',
      'download 301',
    ]);
    expect(await w.messages(id)).toHaveLength(350);
    expect((await w.tickets()).filter((t) => t.data.accountId === id)).toHaveLength(350);
    expect(dc.count(user)).toBe(0);
  });

  it('IMAP: a message above the 8 MiB of a batch is not downloaded ahead (one such mail in memory at a time)', async () => {
    const user = dc.users[3]!;
    await dc.seed(user, 2, 9 * 1024 * 1024, { prefix: 'huge' });
    const id = await w.account('IMAP', user);
    const outcome = await fetchRecorded(id);
    expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 2, deleted: 2 } });
    expect(events).toEqual(['download 1', 'store 1', 'download 2']);
    expect(dc.count(user)).toBe(0);
  });

  it('POP3: a batch is asked for only after the one before it is stored (a commit ends the session)', async () => {
    const user = dc.users[1]!;
    await dc.seed(user, 250, 2000, { prefix: 'pop-ahead' });
    const id = await w.account('POP3', user);
    const outcome = await fetchRecorded(id);
    expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 250 } });
    expect(events.slice(0, 3)).toEqual(['download 1', 'store 1', 'download 101']);
    expect(dc.count(user)).toBe(0);
  });

  it('a download that fails after the lock was lost ends the run as the lost lock, and nothing is deleted', async () => {
    const user = dc.users[2]!;
    await dc.seed(user, 300, 2000, { prefix: 'stolen' });
    const id = await w.account('IMAP', user);
    stealLockAt = { accountId: id, batch: 2 };
    try {
      const outcome = await fetchRecorded(id);
      expect(outcome).toMatchObject({
        outcome: 'failed',
        error: { class: 'storage', code: 'LOCK_LOST' },
        counts: { deleted: 0 },
      });
    } finally {
      stealLockAt = null;
      await w.runtime.redis.del(w.runtime.locks.key(id));
    }
    expect(dc.count(user)).toBe(300);
    // The batch downloaded before the lock was lost is stored; the next run deletes everything once.
    const again = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(again).toMatchObject({ outcome: 'success', counts: { deleted: 300 } });
    expect(await w.messages(id)).toHaveLength(300);
    expect(dc.count(user)).toBe(0);
  });
});
