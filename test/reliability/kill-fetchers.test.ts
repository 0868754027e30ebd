import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../helpers/fetch-world.js';
import { startChild, waitFor, type Child } from '../helpers/processes.js';
import { enqueueAll, expectExactlyOnce, remaining } from './drain-check.js';

// npm run test:soak scales this up (RELIABILITY_SCALE=soak).
const SOAK = process.env.RELIABILITY_SCALE === 'soak';
const ACCOUNTS = SOAK ? 40 : 20;
const PER_ACCOUNT = SOAK ? 1000 : 250;
const KILLS = SOAK ? 60 : 12;

let dc: Dovecot;
let w: FetchWorld;
const fetchers: (Child | null)[] = [null, null];

beforeAll(async () => {
  dc = await startDovecot({ users: ACCOUNTS });
  // A short lock lifetime, so the accounts of a killed fetcher are free again quickly; small runs
  // (MAILDUCT_FETCH_LIMIT), so the drain takes many runs and the kills land in the middle of them.
  w = await createFetchWorld(
    dc,
    {},
    { MAILDUCT_LOCK_TTL_MS: '2000', MAILDUCT_FETCH_CONCURRENCY: '2', MAILDUCT_FETCH_LIMIT: SOAK ? '100' : '30' },
  );
}, 60_000);
afterAll(async () => {
  for (const f of fetchers) await f?.stop('SIGKILL');
  await w?.close();
  await dc?.stop();
});

describe('SIGKILL fetchers at random moments while two of them drain the mailboxes', () => {
  // Its own limit: the drain may take up to 180 s and the locks 60 s more (the waits below); the
  // project's 60 s default cut it off on a slow machine while it was still making progress (soak: as
  // its project).
  it(
    `${KILLS} kills: every message stored exactly once, one ticket each, every mailbox empty`,
    { timeout: SOAK ? 1_800_000 : 300_000 },
    async () => {
      const ids: number[] = [];
      for (const [i, user] of dc.users.entries()) {
        await dc.seed(user, PER_ACCOUNT, 1200, { prefix: `kill-${i}` });
        ids.push(await w.account(i % 3 === 0 ? 'POP3' : 'IMAP', user));
      }
      fetchers[0] = await startChild(['--fetcher'], w.ctx.env);
      fetchers[1] = await startChild(['--fetcher'], w.ctx.env);
      let kills = 0;
      let round = 0;
      await enqueueAll(w, ids, `${round++}`);
      // Kill a random fetcher every 0.1–0.5 s and start a new one at once, sometimes waiting until
      // it is up: kills land during start-up, between jobs and in the middle of runs.
      while (kills < KILLS && remaining(dc, dc.users) > 0) {
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 400));
        const victim = Math.floor(Math.random() * 2);
        await fetchers[victim]!.stop('SIGKILL');
        kills++;
        fetchers[victim] = await startChild(['--fetcher'], w.ctx.env, 20_000, Math.random() < 0.5);
        await enqueueAll(w, ids, `${round++}`); // a killed fetcher's jobs die with it; a scheduler would re-add them
      }
      for (const f of fetchers)
        if (f && !f.output().includes('mailduct started'))
          await waitFor('a fetcher to start', () => f.output().includes('mailduct started'), 20_000);
      expect(kills).toBeGreaterThanOrEqual(Math.min(KILLS, 10));
      await waitFor(
        'every mailbox to be empty',
        async () => {
          if (remaining(dc, dc.users) === 0) return true;
          const counts = await w.runtime.queues.fetch.getJobCounts('waiting', 'active', 'delayed');
          if (counts.waiting === 0 && counts.delayed === 0) await enqueueAll(w, ids, `${round++}`);
          return false;
        },
        180_000,
      );
      // Jobs of killed fetchers stay "active" until BullMQ's stalled check; what matters is that no run holds an account.
      await waitFor(
        'every account lock to be free',
        async () => (await Promise.all(ids.map((id) => w.runtime.locks.holder(id)))).every((h) => h === null),
        60_000,
      );
      const totals = await expectExactlyOnce(w, dc, dc.users, PER_ACCOUNT);
      const interrupted = await w.runtime.prisma.fetchRun.count({
        where: { errorMessage: { startsWith: 'interrupted' } },
      });
      const duplicates = await w.runtime.prisma.fetchRun.aggregate({ _sum: { duplicates: true } });
      console.info(
        `kill-fetchers: ${kills} SIGKILLs, ${totals.rows} messages stored once, ${totals.tickets} tickets, ${interrupted} runs cut short, ${duplicates._sum.duplicates ?? 0} re-downloads found already stored`,
      );
    },
  );
});
