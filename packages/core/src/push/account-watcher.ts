import { foldersOfRow } from '../accounts/index.js';
import type { SecretBox } from '../crypto/index.js';
import type { MailAccountRow } from '../db/index.js';
import { isMailductError } from '../errors/index.js';
import type { HostBudget } from '../fetch/host-budget.js';
import { mailboxSettingsOf } from '../fetch/mailbox-settings.js';
import { clientFor, ImapMailboxClient, type ClientOptions } from '../mail/index.js';
import type { AccessTokens } from '../oauth2/index.js';
import { planWatch, sessionsPerMailbox, type WatchPlan } from './mailbox-sessions.js';
import { combinedState, type FolderState } from './watch-state.js';
import type { WatchInfo } from './watch-leases.js';

/** What a watcher needs beside its account. */
export interface WatcherDeps {
  secrets: SecretBox;
  tokens?: AccessTokens;
  /** Connection options of the fetch sessions; the watcher's command timeout is the IDLE restart plus a minute. */
  clientOptions: ClientOptions;
  idleRestartMs: number;
  /** The process's connections per host (MAILDUCT_MAX_CONNECTIONS_PER_HOST), shared with the fetch sessions. */
  budget?: HostBudget;
  /** MAILDUCT_SESSIONS_PER_MAILBOX (unset: the provider's known limit). */
  sessionsPerMailbox?: number;
  /** The server announced new mail (and once when IDLE begins: mail that came before it). */
  onNew(accountId: number): void;
  /** A connection failed and will be opened again (mailduct_push_reconnects_total). */
  onReconnect?(accountId: number): void;
}

/** How long a server without IDLE waits before it is asked again (a server may be upgraded). */
const UNSUPPORTED_RECHECK_MS = 10 * 60 * 1000;
/** How often a watcher without a connection slot looks again. */
const SLOT_RECHECK_MS = 5_000;
const MAX_BACKOFF_MS = 60_000;
/**
 * An OAuth2 session is opened again this long before its token expires. Tokens are handed out
 * until a minute before their expiry, so by then the next login gets a refreshed one.
 */
const REAUTH_BEFORE_EXPIRY_MS = 30_000;

/**
 * One account's IMAP IDLE watch (RFC 2177): a connection per watched folder, each reconnecting
 * with exponential backoff and jitter after a failure, until `stop`. It never fetches: it tells
 * `onNew`, which enqueues the account's fetch (the same job, lock and invariant as a poll). Each
 * connection holds a slot of the host's budget; folders beyond the mailbox's session limit (less
 * one for the fetch) are left to polling. An OAuth2 session is opened again with a fresh token
 * shortly before its token expires.
 */
export class AccountWatcher {
  private readonly stopping = new AbortController();
  private readonly clients = new Set<ImapMailboxClient>();
  private readonly folders = new Map<string, FolderState>();
  private readonly plan: WatchPlan;
  private running: Promise<void> = Promise.resolve();
  private changes = 0;

  constructor(
    private readonly row: MailAccountRow,
    private readonly deps: WatcherDeps,
  ) {
    this.plan = planWatch(foldersOfRow(row), sessionsPerMailbox(row.host, deps.sessionsPerMailbox));
    for (const f of this.plan.watched) this.folders.set(f, { state: 'connecting', reason: null });
  }

  /** What the lease records about this watch. */
  get state(): Pick<WatchInfo, 'state' | 'reason'> {
    return combinedState(this.folders, this.plan, this.row.host);
  }

  /** Counts the changes of `state`: the lease is rewritten only when it moved. */
  get version(): number {
    return this.changes;
  }

  start(): void {
    this.running = Promise.all(this.plan.watched.map((f) => this.watchFolder(f))).then(() => undefined);
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
      const slot = this.deps.budget ? this.deps.budget.tryHold(this.row.host) : () => undefined;
      if (!slot) {
        this.setFolder(folder, { state: 'waiting', reason: this.noSlot() });
        await this.pause(SLOT_RECHECK_MS);
        continue;
      }
      let wait = 0;
      try {
        wait = await this.session(folder, () => (failures = 0));
      } catch (err) {
        if (this.stopping.signal.aborted) break;
        failures++;
        const reason = isMailductError(err) ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err);
        this.setFolder(folder, { state: 'connecting', reason: reason.slice(0, 500) });
        this.deps.onReconnect?.(this.row.id);
        wait = backoff(failures);
      } finally {
        slot();
      }
      await this.pause(wait);
    }
  }

  /**
   * One IDLE session on `folder`, until it is closed (stop, or the OAuth2 token's end: 0 to open
   * the next at once) or the server has no IDLE (how long to wait before asking again).
   */
  private async session(folder: string, connected: () => void): Promise<number> {
    const client = this.client(folder);
    this.clients.add(client);
    let reauth: NodeJS.Timeout | undefined;
    try {
      await client.connect();
      if (this.stopping.signal.aborted) return 0;
      connected();
      reauth = await this.reauthTimer(client);
      this.setFolder(folder, { state: 'watching', reason: null });
      this.deps.onNew(this.row.id);
      if ((await client.watch(() => this.deps.onNew(this.row.id))) === 'closed') return 0;
      this.setFolder(folder, {
        state: 'unsupported',
        reason: `${this.row.host} does not offer IDLE: the account is fetched on its poll interval`,
      });
      return UNSUPPORTED_RECHECK_MS;
    } finally {
      clearTimeout(reauth);
      this.clients.delete(client);
      await client.close();
    }
  }

  private setFolder(folder: string, next: FolderState): void {
    const now = this.folders.get(folder);
    if (now?.state === next.state && now.reason === next.reason) return;
    this.folders.set(folder, next);
    this.changes++;
  }

  /** OAuth2: end the session just before its token expires; the loop signs in again with a new one. */
  private async reauthTimer(client: ImapMailboxClient): Promise<NodeJS.Timeout | undefined> {
    if (this.row.authMethod !== 'oauth2' || !this.deps.tokens) return undefined;
    // Unreadable now (PostgreSQL away): no early re-login; the next connection gets a fresh token.
    const stored = await this.deps.tokens.tokens.read(this.row.id).catch(() => null);
    const expires = stored?.accessExpiresAt;
    if (!expires) return undefined;
    const wait = Math.max(1000, expires.getTime() - Date.now() - REAUTH_BEFORE_EXPIRY_MS);
    return setTimeout(() => void client.close(), wait);
  }

  private noSlot(): string {
    const n = this.deps.budget?.perHost ?? 0;
    return `no connection to ${this.row.host} is free in this process (MAILDUCT_MAX_CONNECTIONS_PER_HOST=${n}, the last kept for fetching): polled until one frees`;
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
