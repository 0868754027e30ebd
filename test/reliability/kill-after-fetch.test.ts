import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountInput } from '@mailduct/core/accounts';
import { ROOT } from '../helpers/cli.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../helpers/fetch-world.js';
import { serverMessages } from '../helpers/mailbox-state.js';
import { waitFor } from '../helpers/processes.js';

// A fetcher SIGKILLed after storing, after enqueueing, and right before the policy's action, for
// every after-fetch policy: the next run loses nothing, stores nothing twice, enqueues no ticket
// twice, and leaves the mailbox as the policy says.
const STEPS = ['afterStore', 'afterEnqueue', 'beforeCommit'] as const;
const POLICIES: { type: 'IMAP' | 'POP3'; policy: Partial<AccountInput> }[] = [
  { type: 'IMAP', policy: { afterFetch: 'delete' } },
  { type: 'IMAP', policy: { afterFetch: 'keep' } },
  { type: 'IMAP', policy: { afterFetch: 'markSeen' } },
  { type: 'IMAP', policy: { afterFetch: 'moveTo', moveToFolder: 'Done' } },
  { type: 'POP3', policy: { afterFetch: 'delete' } },
  { type: 'POP3', policy: { afterFetch: 'keep' } },
];
const N = 12;

let dc: Dovecot;
let w: FetchWorld;
let next = 0;
beforeAll(async () => {
  dc = await startDovecot({ users: POLICIES.length * STEPS.length, noTls: true });
  w = await createFetchWorld(dc, {}, { MAILDUCT_LOCK_TTL_MS: '1000' });
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

/** Run a fetch of the account in a child process that SIGKILLs itself at `step`. */
async function fetchAndDie(accountId: number, step: string): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, [join(ROOT, 'test', 'harness', 'fetch-and-die.mjs'), String(accountId), step], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...w.ctx.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (signal !== 'SIGKILL') throw new Error(`the fetcher did not die at ${step} (exit ${code}):\n${out}`);
  return signal;
}

/** A run once the killed fetcher's lock has expired. */
async function recover(accountId: number) {
  let run = await w.runtime.service.fetchAccount({ accountId, trigger: 'manual' });
  await waitFor(
    "the killed fetcher's lock to expire",
    async () => {
      if (run.outcome !== 'skipped') return true;
      run = await w.runtime.service.fetchAccount({ accountId, trigger: 'manual' });
      return run.outcome !== 'skipped';
    },
    20_000,
  );
  return run;
}

async function expectMailboxAsThePolicySays(type: 'IMAP' | 'POP3', user: string, policy: Partial<AccountInput>) {
  const inbox = await serverMessages(dc, user);
  // (Dovecot flags a message \Seen when POP3 downloads it: POP3 has no flags of its own to spare.)
  if (policy.afterFetch === 'keep' && type === 'POP3') expect(inbox).toHaveLength(N);
  else if (policy.afterFetch === 'keep') expect(inbox.map((m) => m.flags)).toEqual(Array(N).fill([]));
  else if (policy.afterFetch === 'markSeen') expect(inbox.map((m) => m.flags)).toEqual(Array(N).fill(['\\Seen']));
  else expect(inbox).toEqual([]);
  if (policy.afterFetch === 'moveTo') expect(dc.count(user, policy.moveToFolder!)).toBe(N);
}

describe.each(POLICIES)('$type afterFetch $policy.afterFetch: SIGKILL', ({ type, policy }) => {
  it.each(STEPS)('%s: nothing lost, nothing stored or enqueued twice', async (step) => {
    const user = dc.users[next++]!;
    await dc.seed(user, N, 1500, { prefix: `kill-${user}` });
    if (policy.moveToFolder) await dc.doveadm('mailbox', 'create', '-u', user, policy.moveToFolder);
    const id = await w.account(type, user, policy);
    await fetchAndDie(id, step);
    expect(dc.count(user)).toBe(N); // the killed run changed nothing on the server
    const run = await recover(id);
    // every step comes after the store: the next run finds all of them stored
    expect(run).toMatchObject({ outcome: 'success', counts: { fetched: 0, duplicates: N } });
    const rows = await w.messages(id);
    expect(rows).toHaveLength(N);
    const tickets = (await w.tickets()).filter((t) => t.data.accountId === id);
    expect(tickets).toHaveLength(N);
    expect(new Set(tickets.map((t) => t.data.messageId))).toEqual(new Set(rows.map((r) => r.id)));
    await expectMailboxAsThePolicySays(type, user, policy);
    expect(await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({
      counts: { fetched: 0, duplicates: 0 },
    });
  });
});
