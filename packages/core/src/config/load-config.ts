import { readFileSync } from 'node:fs';
import { MailductError } from '../errors/index.js';
import { notifyConfigOf, type NotifyConfig } from './notify-schema.js';
import { ConfigSchema } from './schema.js';

/** mailduct's validated, typed and frozen configuration. */
export interface Config {
  databaseUrl: string;
  redisUrl: string;
  host: string;
  port: number;
  logLevel: string;
  secretKey: string;
  oldSecretKeys: string[];
  adminToken: string | undefined;
  metricsToken: string | undefined;
  defaultQueue: string;
  queuePrefix: string;
  maxMessageBytes: number;
  fetchLimit: number;
  /** Listed bytes of mail one fetcher process holds in memory at most (downloading, parsing, storing). */
  fetchMemoryBytes: number;
  fetchConcurrency: number;
  pollIntervalSeconds: number;
  parkAfterAuthFailures: number;
  maxConnectionsPerHost: number;
  /** IMAP IDLE watchers one fetcher process holds at most (0: none). */
  watchersPerProcess: number;
  /** Webhooks may point at loopback, private, link-local and metadata addresses. */
  webhookAllowPrivate: boolean;
  /** Webhooks may use http:// (otherwise https only). */
  webhookAllowHttp: boolean;
  /** The webhooks role also takes the tickets queue and sends each ticket as ticket.dispatched. */
  forwardTickets: boolean;
  /** Webhook deliveries one process sends at once. */
  webhookConcurrency: number;
  /** Delivered and failed webhook deliveries are kept this many days (the delivery log). */
  webhookLogDays: number;
  /** IMAP sessions one mailbox may have at once; unset: the provider's known limit (Gmail 15, Microsoft 20, else 10). */
  sessionsPerMailbox: number | undefined;
  /** IDLE is ended and started again this often (RFC 2177: before 29 minutes). */
  idleRestartSeconds: number;
  lockTtlMs: number;
  /** No answer from PostgreSQL to a statement for this long fails it (a stalled or half-open connection). */
  dbQueryTimeoutMs: number;
  extraCa: string | undefined;
  retentionDays: number;
  /** Days the row of mail gone from the server is kept after its ticket was consumed; 0: forever. */
  messageLogDays: number;
  /**
   * Hours a ticket job the ticket system completed stays in Redis (BullMQ removeOnComplete): the
   * outbox sweep tells a consumed ticket from a lost one by it, so it must outlast any scheduler outage.
   */
  ticketKeepHours: number;
  /** /metrics series per account (true), totals only (false), or per account up to 10,000 accounts (auto). */
  metricsPerAccount: 'auto' | 'true' | 'false';
  /** Proxies whose X-Forwarded-* headers are believed (client address for rate limits, https for the Secure cookie). */
  trustProxy: boolean | number | string[];
  /** Mail hosts that may be internal addresses, and hosts never connected to (see MailHostPolicy). */
  allowedMailHosts: string[];
  deniedMailHosts: string[];
  /** OAuth2 providers may be plain http (a test or lab provider; never for a real one). */
  oauth2AllowHttp: boolean;
  /** Where browsers reach mailduct: the OAuth2 redirect URI is `<publicUrl>/oauth2/callback`; unset: the request's own origin. */
  publicUrl: string | undefined;
  /** Account health digests by e-mail; null: off (MAILDUCT_NOTIFY_TO unset). */
  notify: NotifyConfig | null;
}

/**
 * Parse the environment once. Throws CONFIG_INVALID with one line per missing or bad variable,
 * each naming the variable, so a failed start says exactly what to fix.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    invalid(parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), problem: i.message })));
  }
  const e = parsed.data;
  const notify = notifyConfigOf(e);
  if (Array.isArray(notify)) invalid(notify);
  if (e.MAILDUCT_MESSAGE_LOG_DAYS > 0 && e.MAILDUCT_MESSAGE_LOG_DAYS < e.MAILDUCT_RETENTION_DAYS)
    invalid([
      {
        field: 'MAILDUCT_MESSAGE_LOG_DAYS',
        problem: `must be 0 (keep rows) or at least MAILDUCT_RETENTION_DAYS (${e.MAILDUCT_RETENTION_DAYS}): a row holds its raw mail for that long`,
      },
    ]);
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    secretKey: e.MAILDUCT_SECRET_KEY,
    oldSecretKeys: e.MAILDUCT_OLD_SECRET_KEYS,
    adminToken: e.MAILDUCT_ADMIN_TOKEN,
    metricsToken: e.MAILDUCT_METRICS_TOKEN,
    defaultQueue: e.MAILDUCT_DEFAULT_QUEUE,
    queuePrefix: e.MAILDUCT_QUEUE_PREFIX,
    maxMessageBytes: e.MAILDUCT_MAX_MESSAGE_BYTES,
    fetchLimit: e.MAILDUCT_FETCH_LIMIT,
    fetchMemoryBytes: e.MAILDUCT_FETCH_MEMORY_BYTES,
    fetchConcurrency: e.MAILDUCT_FETCH_CONCURRENCY,
    pollIntervalSeconds: e.MAILDUCT_POLL_INTERVAL_SECONDS,
    parkAfterAuthFailures: e.MAILDUCT_PARK_AFTER_AUTH_FAILURES,
    maxConnectionsPerHost: e.MAILDUCT_MAX_CONNECTIONS_PER_HOST,
    watchersPerProcess: e.MAILDUCT_WATCHERS_PER_PROCESS,
    sessionsPerMailbox: e.MAILDUCT_SESSIONS_PER_MAILBOX,
    webhookAllowPrivate: e.MAILDUCT_WEBHOOK_ALLOW_PRIVATE,
    webhookAllowHttp: e.MAILDUCT_WEBHOOK_ALLOW_HTTP,
    forwardTickets: e.MAILDUCT_FORWARD_TICKETS,
    webhookConcurrency: e.MAILDUCT_WEBHOOK_CONCURRENCY,
    webhookLogDays: e.MAILDUCT_WEBHOOK_LOG_DAYS,
    idleRestartSeconds: e.MAILDUCT_IDLE_RESTART_SECONDS,
    lockTtlMs: e.MAILDUCT_LOCK_TTL_MS,
    dbQueryTimeoutMs: e.MAILDUCT_DB_QUERY_TIMEOUT_MS,
    extraCa: readExtraCa(e.MAILDUCT_EXTRA_CA_FILE),
    retentionDays: e.MAILDUCT_RETENTION_DAYS,
    messageLogDays: e.MAILDUCT_MESSAGE_LOG_DAYS,
    ticketKeepHours: e.MAILDUCT_TICKET_KEEP_HOURS,
    metricsPerAccount: e.MAILDUCT_METRICS_PER_ACCOUNT as 'auto' | 'true' | 'false',
    trustProxy: e.MAILDUCT_TRUST_PROXY,
    allowedMailHosts: e.MAILDUCT_ALLOWED_MAIL_HOSTS,
    deniedMailHosts: e.MAILDUCT_DENIED_MAIL_HOSTS,
    oauth2AllowHttp: e.MAILDUCT_OAUTH2_ALLOW_HTTP,
    publicUrl: e.MAILDUCT_PUBLIC_URL,
    notify,
  });
}

function invalid(problems: { field: string; problem: string }[]): never {
  const text = problems.map((p) => `  - ${p.field}: ${p.problem}`).join('\n');
  throw new MailductError('CONFIG_INVALID', `Invalid configuration:\n${text}`, { details: problems });
}

function readExtraCa(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new MailductError(
      'CONFIG_INVALID',
      `Invalid configuration:\n  - MAILDUCT_EXTRA_CA_FILE: cannot read ${file} (${reason})`,
      {
        details: [{ field: 'MAILDUCT_EXTRA_CA_FILE', problem: `cannot read ${file} (${reason})` }],
      },
    );
  }
}
