import { expect } from 'vitest';
import type { Dovecot } from '../helpers/dovecot.js';
import type { FetchWorld } from '../helpers/fetch-world.js';
import { waitFor } from '../helpers/processes.js';

/** Add one fetch job per account (fresh ids, so earlier runs do not shadow them). */
export async function enqueueAll(w: FetchWorld, accountIds: readonly number[], round: string): Promise<void> {
  await w.runtime.queues.fetch.addBulk(
    accountIds.map((accountId) => ({
      name: 'fetch.account',
      data: { accountId, trigger: 'manual' as const },
      opts: { jobId: `r-${round}-${accountId}`, removeOnComplete: true, removeOnFail: true },
    })),
  );
}

/**
 * Wait until at least `stored` messages are stored and runs are in flight, so that a fault
 * injected next hits work under way: runs are short (MAILDUCT_FETCH_LIMIT), so a round may end
 * before the count is reached; more rounds are enqueued until both hold.
 */
export async function waitForDrainInFlight(
  w: FetchWorld,
  accountIds: readonly number[],
  stored: number,
): Promise<void> {
  let round = 0;
  await waitFor(
    'the drain to be under way, with runs in flight',
    async () => {
      const { prisma, queues } = w.runtime;
      if (
        (await prisma.inboundMessage.count()) >= stored &&
        (await prisma.fetchRun.count({ where: { outcome: 'running' } })) > 0
      )
        return true;
      const counts = await queues.fetch.getJobCounts('waiting', 'active', 'delayed');
      if ((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) === 0)
        await enqueueAll(w, accountIds, `warm-${round++}`);
      return false;
    },
    30_000,
  );
}

/** Messages still on the server for these users. */
export function remaining(dc: Dovecot, users: readonly string[]): number {
  return users.reduce((n, u) => n + dc.count(u), 0);
}

/**
 * The invariant after a disturbed drain: every seeded message is stored exactly once, has
 * exactly one ticket job, and no mailbox holds anything.
 */
export async function expectExactlyOnce(
  w: FetchWorld,
  dc: Dovecot,
  users: readonly string[],
  perUser: number,
): Promise<{ rows: number; tickets: number }> {
  expect(remaining(dc, users)).toBe(0);
  const rows = await w.runtime.prisma.inboundMessage.findMany({
    select: { id: true, messageIdHeader: true, status: true },
  });
  const expected = users.length * perUser;
  expect(rows.length).toBe(expected);
  expect(new Set(rows.map((r) => r.messageIdHeader)).size).toBe(expected);
  expect(rows.filter((r) => r.status !== 'dispatched')).toEqual([]);
  const tickets = await w.tickets();
  expect(tickets.length).toBe(expected);
  expect(new Set(tickets.map((t) => t.data.messageId))).toEqual(new Set(rows.map((r) => Number(r.id))));
  return { rows: rows.length, tickets: tickets.length };
}
