import { foldersOfRow } from '../accounts/index.js';
import type { SecretBox } from '../crypto/index.js';
import type { MailAccountRow } from '../db/index.js';
import { isMailductError } from '../errors/index.js';
import { mailboxSettingsOf } from '../fetch/mailbox-settings.js';
import { clientFor, ImapMailboxClient, type ClientOptions } from '../mail/index.js';
import type { AccessTokens } from '../oauth2/index.js';
import type { WatchInfo } from './watch-leases.js';

/** What a watcher needs beside its account. */
export interface WatcherDeps {
  secrets: SecretBox;
  tokens?: AccessTokens;
  /** Connection options of the fetch sessions; the watcher's command timeout is the IDLE restart plus a minute. */
  clientOptions: ClientOptions;
  idleRestartMs: number;
  /** The server announced new mail (and once when IDLE begins: mail that came before it). */
  onNew(accountId: number): void;
  /** A connection failed and will be opened again (mailduct_push_reconnects_total). */
  onReconnect?(accountId: number): void;
}

/** How long a server without IDLE waits before it is asked again (a server may be upgraded). */
const UNSUPPORTED_RECHECK_MS = 10 * 60 * 1000;
const MAX_BACKOFF_MS = 60_000;

/**
 * One account's IMAP IDLE watch (RFC 2177): a connection per folder, each reconnecting with
 * exponential backoff and jitter after a failure, until `stop`. It never fetches: it tells
 * `onNew`, which enqueues the account's fetch (the same job, lock and invariant as a poll). An
 * OAuth2 account's token is asked for at each login, so a reconnect uses a fresh one.
 */
export class AccountWatcher {
  private readonly stopping = new AbortController();
  private readonly clients = new Set<ImapMailboxClient>();
  private running: Promise<void> = Promise.resolve();
  private info: Pick<WatchInfo, 'state' | 'reason'> = { state: 'connecting', reason: null };

  constructor(
    private readonly row: MailAccountRow,
    private readonly deps: WatcherDeps,
  ) {}

  /** What the lease records about this watch. */
  get state(): Pick<WatchInfo, 'state' | 'reason'> {
    return this.info;
  }

  start(): void {
    this.running = Promise.all(foldersOfRow(this.row).map((f) => this.watchFolder(f))).then(() => undefined);
  }

  /** Close every connection and wait for the loops to end. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.clients].map((c) => c.close()));
    await this.running;
  }

  private async watchFolder(folder: string): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      let client: ImapMailboxClient | null = null;
      try {
        client = this.client(folder);
        this.clients.add(client);
        await client.connect();
        if (this.stopping.signal.aborted) break;
        failures = 0;
        this.info = { state: 'watching', reason: null };
        this.deps.onNew(this.row.id);
        if ((await client.watch(() => this.deps.onNew(this.row.id))) === 'unsupported') {
          this.info = {
            state: 'unsupported',
            reason: `${this.row.host} does not offer IDLE: the account is fetched on its poll interval`,
          };
          await this.pause(UNSUPPORTED_RECHECK_MS);
        }
      } catch (err) {
        if (this.stopping.signal.aborted) break;
        failures++;
        const reason = isMailductError(err) ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err);
        this.info = { state: 'connecting', reason: reason.slice(0, 500) };
        this.deps.onReconnect?.(this.row.id);
        await this.pause(backoff(failures));
      } finally {
        if (client) {
          this.clients.delete(client);
          await client.close();
        }
      }
    }
  }

  private client(folder: string): ImapMailboxClient {
    const settings = { ...mailboxSettingsOf(this.row, this.deps.secrets, this.deps.tokens), imapFolder: folder };
    const options = this.deps.clientOptions;
    const command = this.deps.idleRestartMs + 60_000;
    const client = clientFor(
      { ...settings, idleRestartMs: this.deps.idleRestartMs },
      { ...options, timeouts: { connect: 30_000, greeting: 30_000, ...options.timeouts, command } },
    );
    if (!(client instanceof ImapMailboxClient)) throw new Error(`account ${this.row.id} is not an IMAP account`);
    return client;
  }

  /** Wait, or less when stopped. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.stopping.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** 1 s, 2 s, 4 s … up to a minute, ±20 % so watchers of one server do not come back at once. */
function backoff(failures: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(failures - 1, 6));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
