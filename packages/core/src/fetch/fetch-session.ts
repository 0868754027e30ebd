import type { DispatchAccount, RoutingTable } from '../dispatch/index.js';
import type { HeldLock } from '../lock/index.js';
import type { CommitResult, MailboxClient, RemoteMessage } from '../mail/index.js';
import type { ByteBudget } from './byte-budget.js';
import type { MessageStore } from '../store/index.js';
import { batchesOf, DEFAULT_BATCH_LIMITS, listedBytes, planFetch } from './fetch-plan.js';
import { DownloadAhead } from './batch-download.js';
import { InFlight } from './in-flight.js';
import { NextSession } from './next-session.js';
import { storeAndDispatch, type BatchDeps } from './store-and-dispatch.js';

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
  /** What the run left undone and why (each text once): messages left flagged, repeated UIDLs, larger than listed. */
  warnings: string[];
}

/** Add a warning to the run once. */
export function warn(counts: FetchCounts, text: string): void {
  if (!counts.warnings.includes(text)) counts.warnings.push(text);
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
  /** The fetcher process's bytes of mail in memory, shared by its runs. */
  budget?: ByteBudget;
}

/**
 * Move every message of one mailbox through the invariant: download, store, dispatch, enqueue,
 * then delete on the server — per batch, committing at least every `commitEvery` messages.
 * A POP3 commit ends the session, so the loop goes on with a new one (opened and listed while
 * the commit ran, see NextSession) until done.
 * Throws the classified error of a failed run; the counters show what was achieved before it.
 */
export async function fetchMailbox(input: SessionInput, counts: FetchCounts): Promise<void> {
  const done = new Set<string>();
  const oversized = new Set<string>();
  let remaining = input.limit;
  let client: MailboxClient | null = null;
  // Sizes only matter above the small-batch bound and the size limit; below, a bound will do.
  const sessions = new NextSession(input.client, { exactAbove: Math.min(EXACT_SIZES_ABOVE, input.maxBytes) });
  // Recording "deleted on the server" is bookkeeping: downloads (and the next POP3 session) go
  // on while it is written, and the run ends only when it is (a failure fails the run like any
  // storage failure).
  const bookkeeping = new InFlight();
  const interrupt = () => {
    void client?.close();
    sessions.interrupt();
    void sessions.close();
  };
  input.interrupt?.addEventListener('abort', interrupt, { once: true });
  try {
    while (remaining > 0 && !input.signal?.aborted) {
      const opened = await sessions.open();
      client = opened.client;
      const plan = planFetch(opened.listing, { maxBytes: input.maxBytes, limit: remaining, done });
      for (const m of plan.oversized) oversized.add(m.id);
      counts.oversized = oversized.size;
      const repeated = opened.listing.filter((m) => m.uidlRepeated).length;
      if (repeated > 0)
        warn(
          counts,
          `the server lists ${repeated} messages under UIDLs it gives more than one message: they are fetched by message number, one session at a time`,
        );
      if (plan.fetch.length === 0) break;
      const session = await runBatches(client, plan.fetch, input, counts, { done, oversized }, bookkeeping, sessions);
      remaining -= session.handled;
      bookkeeping.check();
      if (!session.needsReconnect) break;
      client = null; // the commit ended the session (POP3 QUIT): list again on a new one
    }
    await bookkeeping.drain();
  } finally {
    input.interrupt?.removeEventListener('abort', interrupt);
    await bookkeeping.settle();
    await client?.close();
    await sessions.close();
  }
}

/** Small messages are listed without their exact size: 100 of them stay below a batch's 8 MiB. */
const EXACT_SIZES_ABOVE = 64 * 1024;

/** Batches being stored and enqueued while the next one downloads (docs/ARCHITECTURE.md, "The fetch loop"). */
const IN_FLIGHT = 2;

/** PostgreSQL connections one run uses at most: the batches in flight and the bookkeeping. */
export const STORE_CONNECTIONS_PER_RUN = IN_FLIGHT + 1;

/**
 * Process the planned messages on one session; `needsReconnect` when a commit ended it early.
 * Downloads run one after another on the connection; storing and enqueueing of a batch overlaps
 * the download of the next. A commit only covers batches that have finished.
 */
async function runBatches(
  client: MailboxClient,
  messages: RemoteMessage[],
  input: SessionInput,
  counts: FetchCounts,
  seen: RunSeen,
  bookkeeping: InFlight,
  sessions: NextSession,
): Promise<{ handled: number; needsReconnect: boolean }> {
  const ahead = new DownloadAhead(client, input);
  try {
    return await batchLoop(client, ahead, messages, input, counts, seen, bookkeeping, sessions);
  } finally {
    ahead.drop();
  }
}

async function batchLoop(
  client: MailboxClient,
  ahead: DownloadAhead,
  messages: RemoteMessage[],
  input: SessionInput,
  counts: FetchCounts,
  seen: RunSeen,
  bookkeeping: InFlight,
  sessions: NextSession,
): Promise<{ handled: number; needsReconnect: boolean }> {
  const { done, oversized } = seen;
  const pending: number[] = [];
  const flagged: number[] = [];
  let handled = 0;
  const window = new InFlight();
  const commits = new InFlight();
  const batches = batchesOf(messages);
  for (const [i, batch] of batches.entries()) {
    if (input.signal?.aborted) break;
    window.check();
    commits.check();
    const { downloads, tooLarge, release } = await ahead.take(batch);
    // Larger on the wire than listed: left on the server and reported like an oversized message.
    for (const m of tooLarge) {
      oversized.add(m.id);
      done.add(m.id);
    }
    counts.oversized = oversized.size;
    if (tooLarge.length > 0)
      warn(
        counts,
        'the server sent messages much larger than it listed them (or above MAILDUCT_MAX_MESSAGE_BYTES): they stay on the server, counted as oversized',
      );
    // The next batch is asked for before this one is hashed, parsed and stored, so the server
    // serves it meanwhile, as it serves the bare client's single FETCH. Not over POP3: a commit
    // there ends the session, and with it what the session had downloaded ahead. Not a message
    // above a batch's bytes on its own: one such mail at a time in memory is enough.
    const next = batches[i + 1];
    if (
      next &&
      !client.commitEndsSession &&
      !input.signal?.aborted &&
      listedBytes(next) <= DEFAULT_BATCH_LIMITS.maxBytes
    )
      ahead.start(next);
    counts.bytes += downloads.reduce((n, d) => n + d.raw.length, 0);
    window.add(
      storeAndDispatch(input.accountId, input.account, input.table, downloads, input.deps)
        .finally(release)
        .then(async (result) => {
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
      if (client.commitEndsSession) {
        // POP3: QUIT ends the session, so everything in flight must be marked first; the next
        // session logs in meanwhile.
        if (i < batches.length - 1 && !input.signal?.aborted) sessions.prepare();
        await window.drain();
        const { reusable } = await commit(client, input, { ids: pending.splice(0), flagged }, counts, bookkeeping);
        if (!reusable) return { handled, needsReconnect: i < batches.length - 1 && !input.signal?.aborted };
      } else {
        // IMAP: one expunge at a time, running on the server while the next batch is downloaded
        // (queued behind it on the connection) and the batches in flight are stored.
        await commits.drain();
        commits.add(
          commit(client, input, { ids: pending.splice(0), flagged }, counts, bookkeeping).then(() => undefined),
        );
      }
    }
  }
  await window.drain();
  await commits.drain();
  if (pending.length > 0) await commit(client, input, { ids: pending.splice(0), flagged }, counts, bookkeeping);
  return { handled, needsReconnect: false };
}

/** Ids of one run: handled (stored, or left for a reason), and left on the server as too large. */
interface RunSeen {
  done: Set<string>;
  oversized: Set<string>;
}

/**
 * Commit the stored messages `ids`. Deleted on the server are recorded only once the server
 * expunged them: an IMAP server without UIDPLUS may leave them flagged (`flagged` keeps their
 * ids until a later commit of the session expunges them too).
 */
async function commit(
  client: MailboxClient,
  input: SessionInput,
  batch: { ids: number[]; flagged: number[] },
  counts: FetchCounts,
  bookkeeping: InFlight,
): Promise<CommitResult> {
  await input.deps.hooks?.beforeCommit?.();
  await input.lock.assertHeld();
  const r = await client.commit();
  if (!r.expunged) {
    batch.flagged.push(...batch.ids);
    if (r.warning) warn(counts, r.warning);
    return r;
  }
  const deleted = [...batch.flagged.splice(0), ...batch.ids];
  counts.deleted += deleted.length;
  bookkeeping.add(input.deps.store.markDeletedOnServer(deleted));
  return r;
}
