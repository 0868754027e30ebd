import type { ListOptions, MailboxClient, RemoteMessage } from '../mail/index.js';
import type { CursorRepository } from './cursor-repository.js';
import type { FetchCounts } from './fetch-session.js';
import type { InFlight } from './in-flight.js';
import { warn } from './run-warnings.js';

/** What a mailbox's progress needs of its account. */
export interface ProgressContext {
  accountId: number;
  cursors: CursorRepository;
  /** Initial import: messages that arrived before this stay on the server untouched; null: all are fetched. */
  cutoff: Date | null;
}

/**
 * What of a mailbox is handled across runs: an IMAP folder's UID cursor (imap-progress.ts) or a
 * POP3 maildrop's remembered UIDLs (pop3-progress.ts). The fetch loop asks it what to fetch of a
 * listing, tells it what is handled (the after-fetch action committed, or left on purpose), and
 * has it write what advanced.
 */
export interface MailboxProgress {
  /** For the session's listing: only messages above the stored cursor. */
  listOptions(): Pick<ListOptions, 'after'>;
  /**
   * The messages of a session's listing to fetch: neither handled in an earlier run nor left out
   * by the initial import. Records first what the initial import decided, so a run that stops
   * decides the same again.
   */
  select(client: MailboxClient, listing: RemoteMessage[], counts: FetchCounts): Promise<RemoteMessage[]>;
  /** Handled: stored and acted on, left on the server on purpose (too large), or gone. */
  settle(messages: readonly RemoteMessage[]): void;
  /** Write what advanced; the run waits for `bookkeeping` before it ends. */
  flush(bookkeeping: InFlight): void;
}

/**
 * The messages among `candidates` the initial import leaves on the server: those that arrived
 * before the cutoff (a message without a date is fetched: nothing is left out on a guess).
 */
export async function leftByImport(
  client: MailboxClient,
  candidates: readonly RemoteMessage[],
  cutoff: Date,
  counts: FetchCounts,
): Promise<RemoteMessage[]> {
  if (candidates.length === 0) return [];
  const dates = await client.arrivals(candidates, cutoff);
  const left = candidates.filter((m) => {
    const date = dates.get(m.id);
    return date === undefined || (date !== null && date.getTime() < cutoff.getTime());
  });
  if (left.length > 0)
    warn(
      counts,
      `initial import: messages that arrived before ${cutoff.toISOString()} stay on the server untouched (${left.length} in this run)`,
    );
  return left;
}
