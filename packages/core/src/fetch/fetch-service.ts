import type { SecretBox } from '../crypto/index.js';
import type { MailAccountRow, PrismaClient } from '../db/index.js';
import { afterFetchOfRow, dispatchOfRow, foldersOfRow, importCutoffOfRow } from '../accounts/index.js';
import { isMailductError, MailductError, type ErrorClass } from '../errors/index.js';
import type { FetchJobData, TicketPublisher } from '../jobs/index.js';
import type { AccountLocks, HeldLock } from '../lock/index.js';
import type { Logger } from '../log/index.js';
import {
  clientFor,
  type ClientOptions,
  type MailboxClient,
  type MailboxSettings,
  type MailHostPolicy,
  type MailTimeouts,
  type ProtocolTrace,
} from '../mail/index.js';
import type { AccessTokens } from '../oauth2/index.js';
import type { MessageStore } from '../store/index.js';
import { mailboxSettingsOf } from './mailbox-settings.js';
import { ByteBudget } from './byte-budget.js';
import { CursorRepository, type StoredCursor } from './cursor-repository.js';
import { ImapProgress } from './imap-progress.js';
import type { MailboxProgress, ProgressContext } from './mailbox-progress.js';
import { Pop3Progress } from './pop3-progress.js';
import { fetchMailbox, type FetchCounts, type SessionInput } from './fetch-session.js';
import type { RoutingLoader } from './routing-loader.js';
import { MessageEventLog, type MessageEvent } from './message-events.js';
import type { RunError, RunRecorder, RunVerdict } from './run-recorder.js';
import type { PipelineHooks } from './store-and-dispatch.js';
import type { AccountEventData, WebhookEventType } from '../webhooks/webhook-events.js';

export interface FetchServiceDeps {
  prisma: PrismaClient;
  secrets: SecretBox;
  /** OAuth2 accounts' tokens; without it such an account's run fails with a config error. */
  tokens?: AccessTokens;
  store: MessageStore;
  publisher: TicketPublisher;
  locks: AccountLocks;
  routing: RoutingLoader;
  recorder: RunRecorder;
  logger: Logger;
  settings: {
    maxMessageBytes: number;
    fetchLimit: number;
    fetchMemoryBytes?: number;
    extraCa?: string;
    commitEvery?: number;
    timeouts?: MailTimeouts;
    hostPolicy?: MailHostPolicy;
  };
  /** Replaceable for fault-injection tests; default clientFor. */
  clientFactory?: (settings: MailboxSettings, options: ClientOptions) => MailboxClient;
  hooks?: PipelineHooks;
  /** Called when a run was skipped because another process held the account's lock (metrics). */
  onLockSkipped?: (accountId: number) => Promise<void> | void;
  /** Called when a run parked an account (the scheduler must drop it). */
  onParked?: (accountId: number) => Promise<void> | void;
  /** A run gave account events (account.failed, .parked, .recovered, …): for the webhooks. */
  onAccountEvents?: (runId: number, events: WebhookEventType[], data: AccountEventData) => Promise<void>;
  /** A run quarantined mail or left mail on the server as too large: for the webhooks. */
  onMessageEvents?: (events: readonly MessageEvent[]) => Promise<void>;
}

/** The result of one fetch of one account. */
export interface FetchOutcome {
  accountId: number;
  outcome: 'success' | 'failed' | 'skipped';
  runId: number | null;
  counts: FetchCounts;
  error: RunError | null;
  parked?: boolean;
  /** Why a run was skipped: another process holds the account's lock. */
  skippedReason?: string;
}

export interface FetchOptions {
  /** Stop between batches (what is stored is committed). */
  signal?: AbortSignal;
  /** Drop the mail connection at once. */
  interrupt?: AbortSignal;
  trace?: ProtocolTrace;
  /** A lock the caller already holds (otherwise one is taken and released here). */
  lock?: HeldLock;
}

const DEFAULT_FETCH_MEMORY_BYTES = 512 * 1024 * 1024;

const emptyCounts = (): FetchCounts => ({
  fetched: 0,
  duplicates: 0,
  dispatched: 0,
  ignored: 0,
  quarantined: 0,
  oversized: 0,
  bytes: 0,
  deleted: 0,
  warnings: [],
});

/**
 * Fetch one account under its lock: the whole invariant (lock, download, store, dispatch,
 * enqueue, delete), a FetchRun row and the account state. Used by the fetcher workers, the API's
 * fetch-now and `mailduct fetch`. A mail-server or storage problem during the run ends as a
 * `failed` outcome with a class. It throws only when PostgreSQL cannot even read the account or
 * record the run: the caller's job fails, and the next run closes a record left 'running'.
 */
export class FetchService {
  /** Bytes of mail this process holds at most, shared by its runs (MAILDUCT_FETCH_MEMORY_BYTES). */
  private readonly budget: ByteBudget;
  private readonly cursors: CursorRepository;

  constructor(private readonly deps: FetchServiceDeps) {
    this.budget = new ByteBudget(deps.settings.fetchMemoryBytes ?? DEFAULT_FETCH_MEMORY_BYTES);
    this.cursors = new CursorRepository(deps.prisma);
  }

  async fetchAccount(job: FetchJobData, options: FetchOptions = {}): Promise<FetchOutcome> {
    const lock = options.lock ?? (await this.deps.locks.acquire(job.accountId));
    if (!lock) await this.deps.onLockSkipped?.(job.accountId);
    if (!lock)
      return {
        accountId: job.accountId,
        outcome: 'skipped',
        runId: null,
        counts: emptyCounts(),
        error: null,
        skippedReason: `account ${job.accountId} is being fetched by another process`,
      };
    try {
      return await this.underLock(job, lock, options);
    } finally {
      if (!options.lock) await lock.release();
    }
  }

  private async underLock(job: FetchJobData, lock: HeldLock, options: FetchOptions): Promise<FetchOutcome> {
    const { prisma, recorder, logger } = this.deps;
    const account = await prisma.mailAccount.findUnique({ where: { id: job.accountId } });
    if (!account) throw new MailductError('ACCOUNT_NOT_FOUND', `mail account ${job.accountId} does not exist`);
    const runId = await recorder.start(account.id, job.trigger, lock.token.split(':').slice(0, 2).join(':'));
    const counts = emptyCounts();
    const events = new MessageEventLog(account.id, this.deps.settings.maxMessageBytes);
    let error: RunError | null = null;
    try {
      await this.fetchFolders(account, job, lock, options, counts, events);
      if (options.signal?.aborted) error = stoppedEarly(options.signal);
    } catch (err) {
      const stopped = options.interrupt?.aborted ? options.interrupt : options.signal?.aborted ? options.signal : null;
      error = stopped ? stoppedEarly(stopped) : toRunError(err);
      const { code, class: errorClass, message } = error;
      logger.warn({ accountId: account.id, runId, code, class: errorClass, err: message }, 'fetch run failed');
    }
    // What a run left undone or met (a changed UIDVALIDITY, mail left flagged): also in its history.
    if (counts.warnings.length > 0)
      logger.warn({ accountId: account.id, runId, warnings: counts.warnings }, 'fetch run warnings');
    if (counts.oversized > 0)
      logger.warn(
        { accountId: account.id, oversized: counts.oversized },
        'messages above MAILDUCT_MAX_MESSAGE_BYTES stay on the server',
      );
    const notified = job.trigger === 'push' ? job.notifiedAt : undefined;
    const verdict = await recorder.finish(runId, account.id, counts, error, new Date(), notified);
    if (verdict.parked) await this.deps.onParked?.(account.id);
    await this.announce(runId, account.id, verdict, events);
    const outcome = error ? 'failed' : 'success';
    return { accountId: account.id, outcome, runId, counts, error, parked: verdict.parked };
  }

  /** Tell the webhooks what the run met; telling must not fail the run (a failure is logged as lost). */
  private async announce(runId: number, accountId: number, verdict: RunVerdict, messages: MessageEventLog) {
    const lost = (what: string) => (err: Error) =>
      this.deps.logger.warn({ accountId, runId, err: err.message }, `${what} not recorded`);
    if (verdict.events.length > 0 && verdict.eventData)
      await this.deps.onAccountEvents?.(runId, verdict.events, verdict.eventData).catch(lost('account events'));
    if (messages.events.length > 0) await this.deps.onMessageEvents?.(messages.events).catch(lost('message events'));
  }

  /**
   * Each folder of the account in turn (one maildrop for POP3), sharing the run's limit. A folder
   * that does not exist fails the run once the others are read; any other failure ends it at once.
   */
  private async fetchFolders(
    account: MailAccountRow,
    job: FetchJobData,
    lock: HeldLock,
    options: FetchOptions,
    counts: FetchCounts,
    events: MessageEventLog,
  ): Promise<void> {
    const stored = await this.cursors.cursors(account.id);
    const common = await this.sessionInput(account, job, lock, options);
    const mailbox = this.mailboxOf(account, common.afterFetch, options);
    let remaining = common.limit;
    let failure: unknown = null;
    for (const folder of foldersOfRow(account)) {
      if (remaining <= 0 || options.signal?.aborted) break;
      const input = {
        ...common,
        ...mailbox.folder(folder, stored.get(folder)),
        limit: remaining,
        events: events.forFolder(folder || null),
      };
      try {
        remaining -= await fetchMailbox(input, counts);
      } catch (err) {
        failure ??= err;
        if (!isMailductError(err) || err.code !== 'MAIL_FOLDER_MISSING') break;
      }
    }
    if (failure) throw failure;
  }

  /**
   * What the folders of one run share (the password opened once, the client options, the initial
   * import), and each folder's client and progress from it ("": a POP3 maildrop).
   */
  private mailboxOf(account: MailAccountRow, afterFetch: SessionInput['afterFetch'], options: FetchOptions) {
    const { settings: configured } = this.deps;
    const ctx: ProgressContext = { accountId: account.id, cursors: this.cursors, cutoff: importCutoffOfRow(account) };
    const settings: MailboxSettings = {
      ...mailboxSettingsOf(account, this.deps.secrets, this.deps.tokens),
      afterFetch,
    };
    const clientOptions: ClientOptions = {
      extraCa: configured.extraCa,
      timeouts: configured.timeouts,
      trace: options.trace,
      maxMessageBytes: configured.maxMessageBytes,
      hostPolicy: configured.hostPolicy,
    };
    const make = this.deps.clientFactory ?? clientFor;
    return {
      folder: (folder: string, stored: StoredCursor | undefined): Pick<SessionInput, 'client' | 'progress'> => {
        const progress: MailboxProgress =
          folder === ''
            ? new Pop3Progress(ctx, stored !== undefined, afterFetch.action === 'keep')
            : new ImapProgress(ctx, folder, stored);
        return { progress, client: () => make({ ...settings, imapFolder: folder || null }, clientOptions) };
      },
    };
  }

  /** What every folder of one run shares: routing, limits, signals. */
  private async sessionInput(
    account: MailAccountRow,
    job: FetchJobData,
    lock: HeldLock,
    options: FetchOptions,
  ): Promise<Omit<SessionInput, 'client' | 'progress'>> {
    const { settings: configured } = this.deps;
    return {
      accountId: account.id,
      account: { trusted: account.trusted, dispatch: dispatchOfRow(account) },
      table: await this.deps.routing.load(),
      lock,
      maxBytes: configured.maxMessageBytes,
      limit: job.limit ?? configured.fetchLimit,
      commitEvery: configured.commitEvery ?? 100,
      signal: options.signal,
      interrupt: options.interrupt,
      deps: { store: this.deps.store, publisher: this.deps.publisher, hooks: this.deps.hooks },
      budget: this.budget,
      afterFetch: afterFetchOfRow(account),
    };
  }
}

function toRunError(err: unknown): RunError {
  if (isMailductError(err))
    return { class: err.errorClass ?? ('protocol' as ErrorClass), code: err.code, message: err.message };
  return {
    class: 'protocol',
    code: 'MAIL_PROTOCOL',
    message: `unexpected failure: ${(err as Error)?.message ?? String(err)}`.slice(0, 1000),
  };
}

function stoppedEarly(signal: AbortSignal): RunError {
  const r = signal.reason as unknown;
  const reason = r instanceof Error ? r.message : typeof r === 'string' ? r : 'aborted';
  return { class: 'timeout', code: 'MAIL_TIMEOUT', message: `stopped early: ${reason}` };
}
