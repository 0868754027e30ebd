import { MailductError } from '../errors/index.js';
import type { DispatchAccount, RoutingTable } from '../dispatch/index.js';
import type { HeldLock } from '../lock/index.js';
import type { MailboxClient, RemoteMessage } from '../mail/index.js';
import type { MessageStore } from '../store/index.js';
import { batchesOf, planFetch } from './fetch-plan.js';
import { storeAndDispatch, type BatchDeps, type Download } from './store-and-dispatch.js';

/** Counters of one run. */
export interface FetchCounts {
  fetched: number;
  duplicates: number;
  dispatched: number;
  ignored: number;
  quarantined: number;
  oversized: number;
  bytes: number;
  deleted: number;
}

export interface SessionInput {
  accountId: number;
  account: DispatchAccount;
  table: RoutingTable;
  client: () => MailboxClient;
  lock: HeldLock;
  maxBytes: number;
  limit: number;
  /** Commit deletions at least this often, so a crash re-downloads little. */
  commitEvery: number;
  /** Stop between batches once aborted (deadline, shutdown); what is done stays done and is committed. */
  signal?: AbortSignal;
  /** Close the connection at once when aborted (a stalled server, the end of a grace period). */
  interrupt?: AbortSignal;
  deps: BatchDeps & { store: MessageStore };
}

/**
 * Move every message of one mailbox through the invariant: download, store, dispatch, enqueue,
 * then delete on the server — per batch, committing at least every `commitEvery` messages.
 * A POP3 commit ends the session, so the loop reconnects and lists again until done.
 * Throws the classified error of a failed run; the counters show what was achieved before it.
 */
export async function fetchMailbox(input: SessionInput, counts: FetchCounts): Promise<void> {
  const done = new Set<string>();
  const oversized = new Set<string>();
  let remaining = input.limit;
  let client: MailboxClient | null = null;
  const interrupt = () => void client?.close();
  input.interrupt?.addEventListener('abort', interrupt, { once: true });
  try {
    while (remaining > 0 && !input.signal?.aborted) {
      client = input.client();
      await client.connect();
      const plan = planFetch(await client.list(), { maxBytes: input.maxBytes, limit: remaining, done });
      for (const m of plan.oversized) oversized.add(m.id);
      counts.oversized = oversized.size;
      if (plan.fetch.length === 0) break;
      const session = await runSession(client, plan.fetch, input, counts, done);
      remaining -= session.handled;
      if (!session.needsReconnect) break;
      client = null; // the commit ended the session (POP3 QUIT): list again on a new one
    }
  } finally {
    input.interrupt?.removeEventListener('abort', interrupt);
    await client?.close();
  }
}

/** Batches being stored and enqueued while the next one downloads (COST-FLOOR: 2 in flight). */
const IN_FLIGHT = 2;

/**
 * Process the planned messages on one session; `needsReconnect` when a commit ended it early.
 * Downloads run one after another on the connection; storing and enqueueing of a batch overlaps
 * the download of the next. A commit only covers batches that have finished.
 */
async function runSession(client: MailboxClient, messages: RemoteMessage[], input: SessionInput, counts: FetchCounts, done: Set<string>): Promise<{ handled: number; needsReconnect: boolean }> {
  const pending: number[] = [];
  let handled = 0;
  const window = new InFlight();
  const batches = batchesOf(messages);
  for (const [i, batch] of batches.entries()) {
    if (input.signal?.aborted) break;
    window.check();
    // A fetcher that was paused past its lock's lifetime stops here, before doing more work.
    await input.lock.assertHeld();
    const downloads = await download(client, batch, input.maxBytes);
    counts.bytes += downloads.reduce((n, d) => n + d.raw.length, 0);
    window.add(
      storeAndDispatch(input.accountId, input.account, input.table, downloads, input.deps).then(async (result) => {
        counts.fetched += result.stored;
        counts.duplicates += result.duplicates;
        counts.dispatched += result.dispatched;
        counts.ignored += result.ignored;
        counts.quarantined += result.quarantined;
        // Invariant step 6: delete only what is stored and enqueued, and only while we hold the lock.
        await input.lock.assertHeld();
        await client.markDeleted(downloads.map((d) => d.message));
        for (const m of batch) done.add(m.id);
        handled += batch.length;
        pending.push(...result.ids);
      }),
    );
    await window.below(IN_FLIGHT);
    if (pending.length >= input.commitEvery) {
      // IMAP: expunge what is done while the next batches are still being stored. POP3: QUIT
      // ends the session, so everything in flight must be marked first.
      if (client.commitEndsSession) await window.drain();
      const { reusable } = await commit(client, input, pending.splice(0), counts);
      if (!reusable) return { handled, needsReconnect: i < batches.length - 1 && !input.signal?.aborted };
    }
  }
  await window.drain();
  if (pending.length > 0) await commit(client, input, pending.splice(0), counts);
  return { handled, needsReconnect: false };
}

/** A window of batch promises; the first failure is kept and rethrown at the next check. */
class InFlight {
  private readonly list: Promise<void>[] = [];
  private failure: { error: unknown } | null = null;

  add(work: Promise<void>): void {
    this.list.push(work.catch((error: unknown) => void (this.failure ??= { error })));
  }

  async below(n: number): Promise<void> {
    while (this.list.length >= n) await this.list.shift();
    this.check();
  }

  async drain(): Promise<void> {
    await Promise.all(this.list.splice(0));
    this.check();
  }

  check(): void {
    if (this.failure) throw this.failure.error;
  }
}

async function commit(client: MailboxClient, input: SessionInput, ids: number[], counts: FetchCounts): Promise<{ reusable: boolean }> {
  await input.deps.hooks?.beforeCommit?.();
  await input.lock.assertHeld();
  const r = await client.commit();
  counts.deleted += ids.length;
  await input.deps.store.markDeletedOnServer(ids);
  return r;
}

async function download(client: MailboxClient, batch: RemoteMessage[], maxBytes: number): Promise<Download[]> {
  if (batch.length === 1) return [{ message: batch[0]!, raw: await client.fetch(batch[0]!, maxBytes) }];
  const raws = await client.fetchMany(batch, maxBytes);
  const out: Download[] = [];
  for (const m of batch) {
    const raw = raws.get(m.id);
    // A message expunged by someone else meanwhile is simply not there any more.
    if (raw) out.push({ message: m, raw });
  }
  if (out.length === 0 && batch.length > 0 && raws.size === 0) throw new MailductError('MAIL_PROTOCOL', `the server returned none of ${batch.length} listed messages`);
  return out;
}
