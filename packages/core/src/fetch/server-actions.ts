import type { AfterFetch, CommitResult, MailboxClient, RemoteMessage } from '../mail/index.js';
import type { ServerAction } from '../store/index.js';
import type { FetchCounts, SessionInput } from './fetch-session.js';
import type { InFlight } from './in-flight.js';
import { warn } from './run-warnings.js';

/** What the store records for each after-fetch action. */
const RECORDED: Record<AfterFetch['action'], ServerAction> = {
  delete: 'deleted',
  markSeen: 'seen',
  moveTo: 'moved',
  keep: 'kept',
};

/** Marked messages and their rows. */
interface Marked {
  messages: RemoteMessage[];
  ids: number[];
}

/**
 * The only code that changes a mailbox on the server, and the one place the invariant is checked
 * (docs/ARCHITECTURE.md, "The invariant"): a batch is marked only once it is stored and its
 * tickets are enqueued, and marking and committing each ask Redis first that this run still
 * holds the account's lock. It also keeps the session's one list of what is marked and not yet
 * committed, and tells the mailbox's progress what a commit handled.
 */
export class ServerActions {
  private marked: Marked = { messages: [], ids: [] };
  /** Committed, but left flagged by a server without UIDPLUS: recorded once a later commit expunges. */
  private readonly flagged: Marked = { messages: [], ids: [] };

  constructor(
    private readonly client: MailboxClient,
    private readonly input: Pick<SessionInput, 'lock' | 'deps' | 'afterFetch' | 'progress'>,
    private readonly counts: FetchCounts,
    /** Where the action and the cursor are recorded; the run waits for it before it ends. */
    private readonly bookkeeping: InFlight,
  ) {}

  /** Messages marked and not yet committed. */
  get pending(): number {
    return this.marked.ids.length;
  }

  /** Step 5: mark a stored and enqueued batch for the after-fetch action (`ids`: their rows). */
  async mark(messages: RemoteMessage[], ids: readonly number[]): Promise<void> {
    await this.input.lock.assertHeld();
    await this.client.markHandled(messages);
    this.marked.messages.push(...messages);
    this.marked.ids.push(...ids);
  }

  /**
   * Step 6: apply the action to what is marked. It is recorded only once the server did it: an
   * IMAP server without UIDPLUS may leave deleted messages flagged (see ImapMailboxClient.commit),
   * and a later commit of the session expunges them too.
   */
  async commit(): Promise<CommitResult> {
    const now = this.marked;
    this.marked = { messages: [], ids: [] };
    await this.input.deps.hooks?.beforeCommit?.();
    await this.input.lock.assertHeld();
    const result = await this.client.commit();
    if (!result.expunged) {
      this.flagged.messages.push(...now.messages);
      this.flagged.ids.push(...now.ids);
      if (result.warning) warn(this.counts, result.warning);
      return result;
    }
    const ids = [...this.flagged.ids.splice(0), ...now.ids];
    const messages = [...this.flagged.messages.splice(0), ...now.messages];
    const action = RECORDED[this.input.afterFetch.action];
    if (action === 'deleted') this.counts.deleted += ids.length;
    this.bookkeeping.add(this.input.deps.store.recordServerAction(ids, action));
    this.input.progress.settle(messages);
    this.input.progress.flush(this.bookkeeping);
    return result;
  }
}
