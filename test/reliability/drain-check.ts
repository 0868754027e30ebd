import { expect } from 'vitest';
import type { Dovecot } from '../helpers/dovecot.js';
import type { FetchWorld } from '../helpers/fetch-world.js';

/** Add one fetch job per account (fresh ids, so earlier runs do not shadow them). */
export async function enqueueAll(w: FetchWorld, accountIds: readonly number[], round: string): Promise<void> {
  await w.runtime.queues.fetch.addBulk(accountIds.map((accountId) => ({ name: 'fetch.account', data: { accountId, trigger: 'manual' as const }, opts: { jobId: `r-${round}-${accountId}`, removeOnComplete: true, removeOnFail: true } })));
}

/** Messages still on the server for these users. */
export function remaining(dc: Dovecot, users: readonly string[]): number {
  return users.reduce((n, u) => n + dc.count(u), 0);
}

/**
 * The invariant after a disturbed drain: every seeded message is stored exactly once, has
 * exactly one ticket job, and no mailbox holds anything.
 */
export async function expectExactlyOnce(w: FetchWorld, dc: Dovecot, users: readonly string[], perUser: number): Promise<{ rows: number; tickets: number }> {
  expect(remaining(dc, users)).toBe(0);
  const rows = await w.runtime.prisma.inboundMessage.findMany({ select: { id: true, messageIdHeader: true, status: true } });
  const expected = users.length * perUser;
  expect(rows.length).toBe(expected);
  expect(new Set(rows.map((r) => r.messageIdHeader)).size).toBe(expected);
  expect(rows.filter((r) => r.status !== 'dispatched')).toEqual([]);
  const tickets = await w.tickets();
  expect(tickets.length).toBe(expected);
  expect(new Set(tickets.map((t) => t.data.messageId))).toEqual(new Set(rows.map((r) => Number(r.id))));
  return { rows: rows.length, tickets: tickets.length };
}
