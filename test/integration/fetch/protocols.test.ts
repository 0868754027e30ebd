import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountType } from '@mailduct/core/accounts';
import { clientFor } from '@mailduct/core/mail';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';

let dc: Dovecot;
let w: FetchWorld;
beforeAll(async () => {
  dc = await startDovecot({ users: 11 });
  w = await createFetchWorld(dc);
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

const TYPES: AccountType[] = ['IMAP', 'IMAPS', 'IMAPTLS', 'POP3', 'POP3S', 'POP3TLS'];

describe.each(TYPES.map((t, i) => [t, i] as const))('%s end to end', (type, i) => {
  it('stores every message, enqueues its ticket in the right queue, and empties the mailbox', async () => {
    const user = dc.users[i]!;
    await dc.seed(user, 12, 4000, { prefix: `e2e-${type}` });
    const id = await w.account(type, user, { dispatch: { by: 'queue', queueId: 4 } });
    const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(outcome).toMatchObject({
      outcome: 'success',
      counts: { fetched: 12, dispatched: 12, quarantined: 0, oversized: 0, deleted: 12 },
    });
    expect(dc.count(user)).toBe(0);
    const stored = await w.messages(id);
    expect(stored).toHaveLength(12);
    expect(new Set(stored.map((m) => m.status))).toEqual(new Set(['dispatched']));
    const tickets = (await w.tickets()).filter((t) => t.data.accountId === id);
    expect(tickets.map((t) => t.id).sort()).toEqual(stored.map((m) => `msg-${m.id}`).sort());
    expect(
      tickets.every(
        (t) => t.name === 'ticket.dispatched' && t.data.queue.name === 'Misc' && t.data.dispatch.by === 'queue',
      ),
    ).toBe(true);
    expect(tickets.map((t) => t.data.headers.subject).sort()).toEqual(
      Array.from({ length: 12 }, (_, n) => `e2e-${type} message ${n + 1}`).sort(),
    );
    // A second run finds nothing and changes nothing.
    expect((await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).counts.fetched).toBe(0);
    expect(await w.messages(id)).toHaveLength(12);
  });
});

describe('IMAP folder', () => {
  it('reads only the configured folder and leaves the others alone', async () => {
    const user = dc.users[6]!;
    await dc.seed(user, 3, 2000, { folder: 'Support', prefix: 'support' });
    await dc.seed(user, 4, 2000, { prefix: 'inbox' });
    await dc.seed(user, 2, 2000, { folder: 'Archive', prefix: 'archive' });
    const id = await w.account('IMAPS', user, { imapFolder: 'Support' });
    const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(outcome.counts.fetched).toBe(3);
    expect(dc.count(user, 'Support')).toBe(0);
    expect(dc.count(user)).toBe(4);
    expect(dc.count(user, 'Archive')).toBe(2);
    expect((await w.messages(id)).map((m) => m.subject).sort()).toEqual([
      'support message 1',
      'support message 2',
      'support message 3',
    ]);
  });

  it('reads a folder whose name is not ASCII (sent in modified UTF-7, RFC 3501 §5.1.3)', async () => {
    const user = dc.users[10]!;
    // Dovecot keeps Maildir folder names in modified UTF-7 on disk: "Entw&APw-rfe" is "Entwürfe".
    await dc.seed(user, 2, 2000, { folder: 'Entw&APw-rfe', prefix: 'draft' });
    await dc.seed(user, 1, 2000, { prefix: 'inbox' });
    const id = await w.account('IMAP', user, { imapFolder: 'Entwürfe' });
    const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 2 } });
    expect(dc.count(user, 'Entw&APw-rfe')).toBe(0);
    expect(dc.count(user)).toBe(1);
  });

  it('fails the run with class config, naming a folder that does not exist', async () => {
    const id = await w.account('IMAP', dc.users[7]!, { imapFolder: 'Nope' });
    const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(outcome).toMatchObject({
      outcome: 'failed',
      error: { class: 'config', code: 'MAIL_FOLDER_MISSING', message: expect.stringContaining('"Nope"') },
    });
  });
});

describe('limits', () => {
  it('fetches at most the run limit, in server order, and the rest next time', async () => {
    const user = dc.users[7]!;
    await dc.seed(user, 7, 1000, { prefix: 'limit' });
    const id = await w.account('POP3', user);
    expect((await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual', limit: 5 })).counts.fetched).toBe(
      5,
    );
    expect(dc.count(user)).toBe(2);
    expect((await w.messages(id)).map((m) => m.subject)).toEqual([1, 2, 3, 4, 5].map((n) => `limit message ${n}`));
    expect((await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).counts.fetched).toBe(2);
  });
});

describe('commits', () => {
  it.each(['POP3', 'IMAP'] as const)(
    '%s commits every ~100 messages and continues (POP3 on a new session)',
    async (type) => {
      const user = type === 'POP3' ? dc.users[8]! : dc.users[9]!;
      await dc.seed(user, 620, 600, { prefix: `bulk-${type}` });
      let commits = 0;
      let sessions = 0;
      const counting = await createFetchWorld(dc, {
        clientFactory: (settings, options) => {
          const client = clientFor(settings, options);
          sessions++;
          const commit = client.commit.bind(client);
          client.commit = async () => {
            commits++;
            return commit();
          };
          return client;
        },
      });
      try {
        const id = await counting.account(type, user, { comment: 'bulk' });
        const outcome = await counting.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
        expect(outcome.counts).toMatchObject({ fetched: 620, deleted: 620 });
        expect(dc.count(user)).toBe(0);
        // Once 100 messages are stored, plus at most the batch (up to 100) still being stored: at least 4 commits.
        expect(commits).toBeGreaterThanOrEqual(4);
        expect(sessions).toBe(type === 'POP3' ? commits : 1);
        expect(
          await counting.runtime.prisma.inboundMessage.count({ where: { accountId: id, deletedOnServerAt: null } }),
        ).toBe(0);
      } finally {
        await counting.close();
      }
    },
  );
});
