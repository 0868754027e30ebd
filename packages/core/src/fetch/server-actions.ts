import type { CommitResult, MailboxClient, RemoteMessage } from '../mail/index.js';
import type { FetchCounts, SessionInput } from './fetch-session.js';
import type { InFlight } from './in-flight.js';
import { warn } from './run-warnings.js';

/**
 * The only code that changes a mailbox on the server, and the one place the invariant is checked
 * (docs/ARCHITECTURE.md, "The invariant"): a batch is marked only once it is stored and its
 * tickets are enqueued, and marking and committing each ask Redis first that this run still
 * holds the account's lock. It also keeps the session's one list of what is marked and not yet
 * committed.
 */
export class ServerActions {
  /** Row ids of stored messages marked on the server, not yet committed. */
  private marked: number[] = [];
  /** Committed, but left flagged by a server without UIDPLUS: recorded deleted once a later commit expunges. */
  private readonly flagged: number[] = [];

  constructor(
    private readonly client: MailboxClient,
    private readonly input: Pick<SessionInput, 'lock' | 'deps'>,
    private readonly counts: FetchCounts,
    /** Where "deleted on the server" is recorded; the run waits for it before it ends. */
    private readonly bookkeeping: InFlight,
  ) {}

  /** Messages marked and not yet committed. */
  get pending(): number {
    return this.marked.length;
  }

  /** Step 5: mark a stored and enqueued batch for deletion (`ids`: their rows). */
  async mark(messages: RemoteMessage[], ids: readonly number[]): Promise<void> {
    await this.input.lock.assertHeld();
    await this.client.markDeleted(messages);
    this.marked.push(...ids);
  }

  /**
   * Step 6: commit what is marked. Deleted on the server are recorded only once the server
   * expunged them: an IMAP server without UIDPLUS may leave them flagged (see
   * ImapMailboxClient.commit), and a later commit of the session expunges them too.
   */
  async commit(): Promise<CommitResult> {
    const ids = this.marked.splice(0);
    await this.input.deps.hooks?.beforeCommit?.();
    await this.input.lock.assertHeld();
    const result = await this.client.commit();
    if (!result.expunged) {
      this.flagged.push(...ids);
      if (result.warning) warn(this.counts, result.warning);
      return result;
    }
    const deleted = [...this.flagged.splice(0), ...ids];
    this.counts.deleted += deleted.length;
    this.bookkeeping.add(this.input.deps.store.markDeletedOnServer(deleted));
    return result;
  }
}
