import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS } from '@mailduct/core/jobs';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { startChild, waitFor, type Child } from '../../helpers/processes.js';

const ACCOUNTS = 50;
const PER_ACCOUNT = 20;

let dc: Dovecot;
let w: FetchWorld;
const children: Child[] = [];
beforeAll(async () => {
  dc = await startDovecot({ users: ACCOUNTS });
  w = await createFetchWorld(dc, {}, { MAILDUCT_FETCH_CONCURRENCY: '8' });
});
afterAll(async () => {
  for (const c of children) await c.stop('SIGKILL');
  await w?.close();
  await dc?.stop();
});

describe('two fetcher processes draining 50 accounts', () => {
  it('store and dispatch every message exactly once, never run two sessions of one account at once, and empty every mailbox', async () => {
    const ids = await w.seedEveryUser(PER_ACCOUNT, 1500, 'drain');
    children.push(await startChild(['--fetcher'], w.ctx.env), await startChild(['--fetcher'], w.ctx.env));
    // Three jobs per account, so both processes compete for the same accounts.
    const jobs = ids.flatMap((accountId) =>
      [1, 2, 3].map((n) => ({
        name: JOBS.fetchAccount.name,
        data: { accountId, trigger: 'manual' as const },
        opts: { jobId: `drain-${accountId}-${n}` },
      })),
    );
    await w.runtime.queues.fetch.addBulk(jobs);
    await waitFor('the queue to drain', async () => {
      const c = await w.runtime.queues.fetch.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(c).every((n) => n === 0);
    });
    for (const user of dc.users) expect(dc.count(user), user).toBe(0);
    const rows = await w.runtime.prisma.inboundMessage.findMany({
      select: { id: true, accountId: true, messageIdHeader: true, status: true },
    });
    expect(rows).toHaveLength(ACCOUNTS * PER_ACCOUNT);
    expect(new Set(rows.map((r) => r.messageIdHeader)).size).toBe(ACCOUNTS * PER_ACCOUNT);
    expect(rows.every((r) => r.status === 'dispatched')).toBe(true);
    const tickets = await w.tickets();
    expect(tickets).toHaveLength(ACCOUNTS * PER_ACCOUNT);
    expect(new Set(tickets.map((t) => t.data.messageId)).size).toBe(ACCOUNTS * PER_ACCOUNT);
    // Lock holders: every run records its fetcher; runs of one account never overlap in time.
    const runs = await w.runtime.prisma.fetchRun.findMany({ orderBy: { startedAt: 'asc' } });
    expect(new Set(runs.map((r) => r.worker)).size).toBe(2);
    const byAccount = new Map<number, typeof runs>();
    for (const r of runs) byAccount.set(r.accountId, [...(byAccount.get(r.accountId) ?? []), r]);
    for (const [accountId, list] of byAccount) {
      for (let i = 1; i < list.length; i++)
        expect(list[i]!.startedAt.getTime(), `account ${accountId}`).toBeGreaterThanOrEqual(
          list[i - 1]!.finishedAt!.getTime(),
        );
    }
    const completed = await w.runtime.queues.fetch.getJobs(['completed']);
    const skipped = completed.filter((j) => j.returnvalue?.outcome === 'skipped').length;
    expect(completed.length).toBe(ACCOUNTS * 3);
    expect(runs.length + skipped).toBe(ACCOUNTS * 3);
  });
});
