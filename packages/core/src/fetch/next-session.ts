import type { ListOptions, MailboxClient, RemoteMessage } from '../mail/index.js';

/** A connected session and what it lists. */
export interface OpenSession {
  client: MailboxClient;
  listing: RemoteMessage[];
}

/**
 * Sessions of one run. For a client whose commit ends the session (POP3's QUIT), the next session
 * connects, logs in and lists while the current one finishes and commits, so the run does not
 * wait for that after every commit (a POP3 session's listing is fixed at its login: messages the
 * current one deletes are in it, and skipped as done). A server that refuses a second session
 * while the first is open (RFC 1939 lets it lock the maildrop) is not asked again in this run:
 * its next session is opened after the commit, as it is when opening ahead failed for any
 * other reason.
 */
export class NextSession {
  private ahead: Promise<OpenSession | null> | null = null;
  private refused = false;
  /** Clients connecting or listing now, closed by `interrupt`. */
  private readonly opening = new Set<MailboxClient>();

  constructor(
    private readonly make: () => MailboxClient,
    private readonly listOptions: ListOptions,
  ) {}

  /** Start opening the next session now. */
  prepare(): void {
    if (this.ahead || this.refused) return;
    this.ahead = this.connect().catch(() => {
      this.refused = true;
      return null;
    });
  }

  /** The session opened ahead, or a new one (a failure fails the run). */
  async open(): Promise<OpenSession> {
    return (await this.take()) ?? this.connect();
  }

  /** Close a session opened ahead and not used. */
  async close(): Promise<void> {
    await (await this.take())?.client.close();
  }

  /** Drop every connection being opened now (a stalled server must not hold up a shutdown). */
  interrupt(): void {
    for (const c of this.opening) void c.close();
  }

  private async connect(): Promise<OpenSession> {
    const client = this.make();
    this.opening.add(client);
    try {
      await client.connect();
      return { client, listing: await client.list(this.listOptions) };
    } catch (err) {
      await client.close();
      throw err;
    } finally {
      this.opening.delete(client);
    }
  }

  private take(): Promise<OpenSession | null> {
    const ahead = this.ahead ?? Promise.resolve(null);
    this.ahead = null;
    return ahead;
  }
}
