import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineHooks } from '@mailduct/core/fetch';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';

let dc: Dovecot;
const worlds: FetchWorld[] = [];
beforeAll(async () => {
  dc = await startDovecot({ users: 8 });
});
afterAll(async () => {
  for (const w of worlds) await w.close();
  await dc?.stop();
});

class Crash extends Error {}

/** Run once with a hook that crashes at a step, then again normally: the outcome must be exact. */
async function crashThenRecover(
  user: string,
  type: 'IMAP' | 'POP3',
  hooks: (crash: () => never) => PipelineHooks,
  between?: (w: FetchWorld, accountId: number) => Promise<void>,
) {
  let armed = true;
  const crash = (): never => {
    armed = false;
    throw new Crash('simulated crash');
  };
  const guarded = hooks(crash);
  const only = (fn: ((...a: never[]) => unknown) | undefined) =>
    fn ? (...a: never[]) => (armed ? fn(...a) : undefined) : undefined;
  const w = await createFetchWorld(dc, {
    hooks: {
      afterStore: only(guarded.afterStore),
      afterEnqueue: only(guarded.afterEnqueue),
      beforeCommit: only(guarded.beforeCommit),
    } as PipelineHooks,
  });
  worlds.push(w);
  const n = 20;
  await dc.seed(user, n, 1500, { prefix: `crash-${user}` });
  const id = await w.account(type, user);
  const first = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
  expect(first.outcome).toBe('failed');
  expect(dc.count(user)).toBe(n); // nothing was deleted by the crashed run
  await between?.(w, id);
  const second = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
  expect(second.outcome).toBe('success');
  expect(dc.count(user)).toBe(0);
  const rows = await w.messages(id);
  expect(rows).toHaveLength(n);
  expect(new Set(rows.map((r) => r.sha256)).size).toBe(n);
  const tickets = (await w.tickets()).filter((t) => t.data.accountId === id);
  expect(tickets).toHaveLength(n);
  expect(new Set(tickets.map((t) => t.data.messageId))).toEqual(new Set(rows.map((r) => r.id)));
  expect(rows.every((r) => r.status === 'dispatched')).toBe(true);
  return { first, second };
}

describe('crash windows: no message lost, none stored or enqueued twice', () => {
  it.each(['IMAP', 'POP3'] as const)('%s: crash after storing with the verdict, before enqueueing', async (type) => {
    const { second } = await crashThenRecover(type === 'IMAP' ? dc.users[0]! : dc.users[1]!, type, (crash) => ({
      afterStore: () => crash(),
    }));
    // The rows were stored already dispatched: the second run only enqueues their tickets.
    expect(second.counts).toMatchObject({ fetched: 0, duplicates: 20, dispatched: 0 });
  });

  it.each(['IMAP', 'POP3'] as const)('%s: crash after enqueueing, before deleting', async (type) => {
    const { second } = await crashThenRecover(type === 'IMAP' ? dc.users[2]! : dc.users[3]!, type, (crash) => ({
      afterEnqueue: () => crash(),
    }));
    expect(second.counts).toMatchObject({ fetched: 0, duplicates: 20, dispatched: 0 });
  });

  it.each(['IMAP', 'POP3'] as const)('%s: crash after marking deleted, before the commit', async (type) => {
    const { second } = await crashThenRecover(type === 'IMAP' ? dc.users[4]! : dc.users[5]!, type, (crash) => ({
      beforeCommit: () => crash(),
    }));
    expect(second.counts).toMatchObject({ fetched: 0, duplicates: 20, dispatched: 0 });
  });
});
