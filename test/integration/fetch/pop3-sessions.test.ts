import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailductError } from '@mailduct/core/errors';
import { clientFor, type MailboxClient } from '@mailduct/core/mail';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';

// A POP3 commit (QUIT) ends the session: the next one logs in and lists while the current one
// commits. These tests count the sessions open at once against a real Dovecot.

let dc: Dovecot;
beforeAll(async () => {
  dc = await startDovecot({ users: 3, noTls: true });
});
afterAll(async () => {
  await dc?.stop();
});

/** Sessions as a world's fetcher opens them. */
interface SessionLog {
  /** Logins that succeeded. */
  opened: number;
  /** Logins begun while another session was open. */
  ahead: number;
  refused: number;
  commits: number;
}

/**
 * A fetch world whose POP3 clients are counted; with `oneAtATime`, a login while another session
 * is open is refused the way RFC 1939 lets a server refuse it (a locked maildrop).
 */
async function countingWorld(log: SessionLog, oneAtATime: boolean): Promise<FetchWorld> {
  let open = 0;
  return createFetchWorld(dc, {
    clientFactory: (settings, options) => {
      const client = clientFor(settings, options);
      let isOpen = false;
      const ended = () => {
        if (isOpen) open--;
        isOpen = false;
      };
      const { connect, commit, close } = {
        connect: client.connect.bind(client),
        commit: client.commit.bind(client),
        close: client.close.bind(client),
      };
      const counted: Partial<MailboxClient> = {
        connect: async () => {
          if (open > 0) log.ahead++;
          if (oneAtATime && open > 0) {
            log.refused++;
            throw new MailductError('MAIL_PROTOCOL', 'POP3 server said: -ERR [IN-USE] maildrop is locked');
          }
          await connect();
          isOpen = true;
          log.opened++;
          open++;
        },
        commit: async () => {
          const r = await commit();
          log.commits++;
          ended();
          return r;
        },
        close: async () => {
          ended();
          await close();
        },
      };
      return Object.assign(client, counted);
    },
  });
}

async function fetchAll(w: FetchWorld, user: string): Promise<void> {
  await dc.seed(user, 450, 800, { prefix: user });
  const id = await w.account('POP3', user);
  const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
  expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 450, deleted: 450, duplicates: 0 } });
  expect(dc.count(user)).toBe(0);
  const stored = await w.messages(id);
  expect(new Set(stored.map((m) => m.subject)).size).toBe(450);
  expect((await w.tickets()).filter((t) => t.data.accountId === id)).toHaveLength(450);
}

describe('POP3 sessions', () => {
  it('the next session logs in while the current one commits, and nothing is fetched twice', async () => {
    const log: SessionLog = { opened: 0, ahead: 0, refused: 0, commits: 0 };
    const w = await countingWorld(log, false);
    try {
      await fetchAll(w, dc.users[0]!);
      expect(log.opened).toBeGreaterThanOrEqual(3); // a commit every 100–200 of 450 messages
      // Every session after the first logged in before its predecessor's QUIT; each ended with one.
      expect(log).toMatchObject({ ahead: log.opened - 1, refused: 0, commits: log.opened });
    } finally {
      await w.close();
    }
  });

  it('a server that refuses a second session is asked once, then fetched one session at a time', async () => {
    const log: SessionLog = { opened: 0, ahead: 0, refused: 0, commits: 0 };
    const w = await countingWorld(log, true);
    try {
      await fetchAll(w, dc.users[1]!);
      expect(log.opened).toBeGreaterThanOrEqual(3);
      expect(log).toMatchObject({ ahead: 1, refused: 1, commits: log.opened });
    } finally {
      await w.close();
    }
  });

  it('a Dovecot that locks the maildrop per session (pop3_lock_session) is fetched completely', async () => {
    // Dovecot holds the second login until the first session ends instead of refusing it.
    const conf = join(dc.dir, 'dovecot.conf');
    const original = readFileSync(conf, 'utf8');
    appendFileSync(conf, '\nprotocol pop3 {\n  pop3_lock_session = yes\n}\n');
    execFileSync('/usr/sbin/dovecot', ['-c', conf, 'reload']);
    const log: SessionLog = { opened: 0, ahead: 0, refused: 0, commits: 0 };
    const w = await countingWorld(log, false);
    try {
      await fetchAll(w, dc.users[2]!);
      expect(log.commits).toBe(log.opened);
    } finally {
      await w.close();
      writeFileSync(conf, original);
      execFileSync('/usr/sbin/dovecot', ['-c', conf, 'reload']);
    }
  });
});
