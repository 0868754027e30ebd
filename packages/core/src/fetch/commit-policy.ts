import type { MailboxClient } from '../mail/index.js';
import { InFlight } from './in-flight.js';
import type { NextSession } from './next-session.js';
import type { ServerActions } from './server-actions.js';

/**
 * When and how a protocol commits (docs/ARCHITECTURE.md, "The fetch loop"). The loop calls `due`
 * whenever `commitEvery` messages are marked, and `finish` once every batch of the session is
 * stored and marked.
 */
export interface CommitPolicy {
  /** Commit now; false when the commit ended the session (`more`: batches of this session follow). */
  due(more: boolean): Promise<boolean>;
  /** Commit what is still marked. */
  finish(): Promise<void>;
  /** Rethrow a commit that failed in the background. */
  check(): void;
}

export function commitPolicyFor(
  client: MailboxClient,
  actions: ServerActions,
  stores: InFlight,
  sessions: NextSession,
): CommitPolicy {
  return client.commitEndsSession
    ? new CommitEndingSession(actions, stores, sessions)
    : new CommitWhileFetching(actions);
}

/**
 * IMAP: the session goes on after a commit. One UID EXPUNGE at a time runs on the server while
 * the next batch downloads (queued behind it on the connection) and the batches in flight are stored.
 */
class CommitWhileFetching implements CommitPolicy {
  private readonly commits = new InFlight();

  constructor(private readonly actions: ServerActions) {}

  async due(): Promise<boolean> {
    await this.commits.drain();
    this.commits.add(this.actions.commit().then(() => undefined));
    return true;
  }

  async finish(): Promise<void> {
    await this.commits.drain();
    if (this.actions.pending > 0) await this.actions.commit();
  }

  check(): void {
    this.commits.check();
  }
}

/**
 * POP3: the commit is QUIT, which ends the session, so every batch in flight is stored and marked
 * first; the next session logs in and lists meanwhile (NextSession).
 */
class CommitEndingSession implements CommitPolicy {
  constructor(
    private readonly actions: ServerActions,
    private readonly stores: InFlight,
    private readonly sessions: NextSession,
  ) {}

  async due(more: boolean): Promise<boolean> {
    if (more) this.sessions.prepare();
    await this.stores.drain();
    return (await this.actions.commit()).reusable;
  }

  async finish(): Promise<void> {
    if (this.actions.pending > 0) await this.actions.commit();
  }

  check(): void {}
}
