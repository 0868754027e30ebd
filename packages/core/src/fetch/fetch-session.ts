import type { DispatchAccount, RoutingTable } from '../dispatch/index.js';
import type { HeldLock } from '../lock/index.js';
import type { AfterFetch, MailboxClient, RemoteMessage } from '../mail/index.js';
import type { MessageStore } from '../store/index.js';
import type { BatchDownload } from './batch-download.js';
import type { ByteBudget } from './byte-budget.js';
import { commitPolicyFor } from './commit-policy.js';
import { DownloadStage } from './download-stage.js';
import { batchesOf, planFetch } from './fetch-plan.js';
import { InFlight } from './in-flight.js';
import type { MailboxProgress } from './mailbox-progress.js';
import { NextSession } from './next-session.js';
import { warn } from './run-warnings.js';
import { ServerActions } from './server-actions.js';
import type { FolderEvents } from './message-events.js';
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
  /** What happens on the server to a stored message. */
  afterFetch: AfterFetch;
  /** What of the mailbox is handled across runs (its cursor or remembered UIDLs). */
  progress: MailboxProgress;
  /** Where the folder's message events go (quarantined, left as too large), for the webhooks. */
  events?: FolderEvents;
}

/** One run of one mailbox: its input, counters and what it has handled so far over every session. */
interface Run {
  input: SessionInput;
  counts: FetchCounts;
  /** Ids handled: stored, or left for a reason (too large). */
  done: Set<string>;
  /** Ids left on the server as too large. */
  oversized: Set<string>;
  /**
   * Recording "deleted on the server": downloads (and the next POP3 session) go on while it is
   * written; the run ends only when it is, and its failure fails the run like any storage failure.
   */
  bookkeeping: InFlight;
  sessions: NextSession;
}

/** Small messages are listed without their exact size: 100 of them stay below a batch's 8 MiB. */
const EXACT_SIZES_ABOVE = 64 * 1024;

/** Batches being stored while the next one downloads (docs/ARCHITECTURE.md, "The fetch loop"). */
const IN_FLIGHT = 2;

/** PostgreSQL connections one run uses at most: the batches in flight and the bookkeeping. */
export const STORE_CONNECTIONS_PER_RUN = IN_FLIGHT + 1;

/**
 * Move every new message of one mailbox (an IMAP folder, a POP3 maildrop) through the stages of
 * the invariant, batch by batch: download → store and dispatch → mark → act (docs/ARCHITECTURE.md,
 * "The fetch loop"). A commit that ends the session (POP3) goes on with a new one until done.
 * Returns how many messages it handled; throws the classified error of a failed run, the
 * counters show what was achieved before it.
 */
export async function fetchMailbox(input: SessionInput, counts: FetchCounts): Promise<number> {
  // Sizes only matter above the small-batch bound and the size limit; below, a bound will do.
  const sessions = new NextSession(input.client, {
    exactAbove: Math.min(EXACT_SIZES_ABOVE, input.maxBytes),
    ...input.progress.listOptions(),
  });
  const run: Run = { input, counts, done: new Set(), oversized: new Set(), bookkeeping: new InFlight(), sessions };
  let client: MailboxClient | null = null;
  let remaining = input.limit;
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
      const planned = plan(run, await input.progress.select(client, opened.listing, counts), remaining);
      if (planned.length === 0) break;
      const session = await runSession(run, client, planned);
      remaining -= session.handled;
      run.bookkeeping.check();
      if (!session.needsReconnect) break;
      client = null; // the commit ended the session (POP3 QUIT): list again on a new one
    }
    input.progress.flush(run.bookkeeping);
    await run.bookkeeping.drain();
    return input.limit - remaining;
  } finally {
    input.interrupt?.removeEventListener('abort', interrupt);
    await run.bookkeeping.settle();
    await client?.close();
    await sessions.close();
  }
}

/** What to fetch of a session's listing; what is left there as too large is counted and reported. */
function plan(run: Run, listing: RemoteMessage[], remaining: number): RemoteMessage[] {
  const planned = planFetch(listing, { maxBytes: run.input.maxBytes, limit: remaining, done: run.done });
  for (const m of planned.oversized) {
    run.oversized.add(m.id);
    run.input.events?.oversized(m);
  }
  if (staysInFolder(run.input)) run.input.progress.settle(planned.oversized);
  run.counts.oversized = run.oversized.size;
  const repeated = listing.filter((m) => m.uidlRepeated).length;
  if (repeated > 0)
    warn(
      run.counts,
      `the server lists ${repeated} messages under UIDLs it gives more than one message: they are fetched by message number, one session at a time`,
    );
  return planned.fetch;
}

/**
 * The stages over one session's batches. Downloads run one after another on the connection;
 * storing a batch overlaps the download of the next (IN_FLIGHT); a commit covers only batches
 * that are marked, and the protocol's CommitPolicy decides how it runs.
 */
async function runSession(
  run: Run,
  client: MailboxClient,
  messages: RemoteMessage[],
): Promise<{ handled: number; needsReconnect: boolean }> {
  const { input } = run;
  const batches = batchesOf(messages);
  const downloads = new DownloadStage(client, batches, input, !client.commitEndsSession);
  const stores = new InFlight();
  const actions = new ServerActions(client, input, run.counts, run.bookkeeping);
  const policy = commitPolicyFor(client, actions, stores, run.sessions);
  let handled = 0;
  try {
    for (const [i, batch] of batches.entries()) {
      if (input.signal?.aborted) break;
      stores.check();
      policy.check();
      const downloaded = await downloads.take(i);
      stores.add(storeAndMark(run, actions, batch, downloaded).then(() => void (handled += batch.length)));
      await stores.below(IN_FLIGHT);
      if (actions.pending < input.commitEvery) continue;
      const more = i < batches.length - 1 && !input.signal?.aborted;
      if (!(await policy.due(more))) return { handled, needsReconnect: more };
    }
    await stores.drain();
    await policy.finish();
    return { handled, needsReconnect: false };
  } finally {
    downloads.drop();
  }
}

/** Store and dispatch a downloaded batch (steps 3 and 4), then mark it on the server (step 5). */
async function storeAndMark(run: Run, actions: ServerActions, batch: RemoteMessage[], got: BatchDownload) {
  const { input, counts } = run;
  leftTooLarge(run, got.tooLarge);
  counts.bytes += got.downloads.reduce((n, d) => n + d.raw.length, 0);
  const result = await storeAndDispatch(input.accountId, input.account, input.table, got.downloads, input.deps).finally(
    got.release,
  );
  counts.fetched += result.stored;
  counts.duplicates += result.duplicates;
  counts.dispatched += result.dispatched;
  counts.ignored += result.ignored;
  counts.quarantined += result.quarantined;
  for (const m of result.quarantinedMessages) input.events?.quarantined(m);
  await actions.mark(
    got.downloads.map((d) => d.message),
    result.ids,
  );
  const downloaded = new Set(got.downloads.map((d) => d.message));
  const tooLarge = new Set(got.tooLarge);
  // Gone from the server meanwhile: handled; too large: handled where mail stays in the folder anyway.
  input.progress.settle(batch.filter((m) => !downloaded.has(m) && (!tooLarge.has(m) || staysInFolder(input))));
  for (const m of batch) run.done.add(m.id);
}

/**
 * Whether the after-fetch action leaves messages in the folder. Then a message left there as too
 * large is passed by the cursor (reported once); where the folder empties (delete, moveTo) it is
 * listed and reported by every run, as before.
 */
function staysInFolder(input: SessionInput): boolean {
  return input.afterFetch.action === 'keep' || input.afterFetch.action === 'markSeen';
}

/** Larger on the wire than listed: left on the server and reported like an oversized message. */
function leftTooLarge(run: Run, tooLarge: readonly RemoteMessage[]): void {
  for (const m of tooLarge) {
    run.oversized.add(m.id);
    run.input.events?.oversized(m);
    run.done.add(m.id);
  }
  run.counts.oversized = run.oversized.size;
  if (tooLarge.length > 0)
    warn(
      run.counts,
      'the server sent messages much larger than it listed them (or above MAILDUCT_MAX_MESSAGE_BYTES): they stay on the server, counted as oversized',
    );
}
