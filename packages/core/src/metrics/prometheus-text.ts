import { DURATION_BUCKETS, PUSH_BUCKETS } from './fetch-counters.js';

/** One counter row as read from fetch_counter (accountId null: the sum over every account). */
export interface CounterRow {
  accountId: number | null;
  name: string;
  value: number;
}

/** The live state of an account. */
export interface AccountGaugeRow {
  id: number;
  oversizedCount: number;
  consecutiveFailures: number;
  parked: boolean;
  lastSuccessAt: Date | null;
  /** OAuth2 accounts: whether an administrator must (re-)authorize, and when what it signs in with expires. */
  oauth2?: {
    authorizationRequired: boolean;
    refreshTokenExpiresAt: Date | null;
    clientSecretExpiresAt: Date | null;
  } | null;
}

/**
 * Every account's state in one row, for many accounts (MAILDUCT_METRICS_PER_ACCOUNT): rendered
 * as the same families without `account_id`, each the value an alert over all accounts needs:
 * sums (oversized, parked, re-authorization required), the most failures in a row, the oldest
 * last success and the soonest expiry.
 */
export interface AccountTotals {
  oversized: number;
  mostConsecutiveFailures: number;
  parked: number;
  oldestLastSuccessAt: Date | null;
  reauthorizationRequired: number;
  soonestRefreshTokenExpiry: Date | null;
  soonestClientSecretExpiry: Date | null;
}

/** The metric families, in the order they are rendered. */
const FAMILIES = {
  messages: [
    'mailduct_account_messages_total',
    'counter',
    'Messages handled per account, by outcome (fetched = newly stored).',
  ],
  bytes: ['mailduct_account_bytes_total', 'counter', 'Bytes downloaded per account.'],
  runs: ['mailduct_account_runs_total', 'counter', 'Fetch runs per account, by outcome and error class.'],
  oversized: [
    'mailduct_account_oversized_messages',
    'gauge',
    'Messages above MAILDUCT_MAX_MESSAGE_BYTES left on the server at the last run.',
  ],
  failures: ['mailduct_account_consecutive_failures', 'gauge', 'Failed runs in a row.'],
  parked: [
    'mailduct_account_parked',
    'gauge',
    '1 when the account was parked (repeated login failures, or its OAuth2 grant is gone).',
  ],
  reauthorization: [
    'mailduct_account_oauth2_reauthorization_required',
    'gauge',
    '1 when an OAuth2 account cannot be fetched until an administrator authorizes it (again).',
  ],
  expiry: [
    'mailduct_oauth2_token_expiry_timestamp_seconds',
    'gauge',
    "Unix time an OAuth2 account's refresh token or its provider's client secret expires, where known.",
  ],
  lastSuccess: ['mailduct_account_last_success_timestamp_seconds', 'gauge', 'Unix time of the last successful run.'],
  duration: ['mailduct_fetch_duration_seconds', 'histogram', 'Duration of fetch runs.'],
  skips: ['mailduct_lock_skips_total', 'counter', 'Fetch jobs skipped because another fetcher held the account lock.'],
  watchers: [
    'mailduct_watchers',
    'gauge',
    'Push accounts by watch state: watching (IDLE held), connecting, waiting (no connection slot), unsupported (no IDLE: polled), unwatched.',
  ],
  pushLatency: [
    'mailduct_push_latency_seconds',
    'histogram',
    'Pushed runs that stored new mail: from IDLE announcing it to the run having enqueued its tickets.',
  ],
  reconnects: ['mailduct_push_reconnects_total', 'counter', 'IDLE connections that failed and were opened again.'],
  depth: ['mailduct_queue_jobs', 'gauge', 'Jobs in the BullMQ queues, by state.'],
} as const satisfies Record<string, readonly [string, 'counter' | 'gauge' | 'histogram', string]>;

type Lines = Record<keyof typeof FAMILIES, string[]>;

const NEEDS_ESCAPE = /[\\"\n]/;
/** A quoted label value; numbers and plain names (nearly every value) skip the escaping. */
const label = (v: string | number) => {
  const text = String(v);
  return NEEDS_ESCAPE.test(text)
    ? `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
    : `"${text}"`;
};

/**
 * Render the fetch metrics in the Prometheus text format (version 0.0.4). Pure: the API reads
 * the rows from PostgreSQL and Redis at scrape time, so every fetcher process on every machine
 * is counted, whichever API replica is scraped.
 */
export function renderFetchMetrics(
  counters: readonly CounterRow[],
  accounts: readonly AccountGaugeRow[] | AccountTotals,
  queues: Record<string, Record<string, number>>,
  lockSkips: number,
  push: { watchers: Record<string, number>; reconnects: number } = { watchers: {}, reconnects: 0 },
): string {
  const lines = Object.fromEntries(Object.keys(FAMILIES).map((k) => [k, [] as string[]])) as Lines;
  const global = counterLines(counters, lines);
  if (isRows(accounts)) accountLines(accounts, lines);
  else totalLines(accounts, lines);
  durationLines(global, lines.duration);
  lines.skips.push(`mailduct_lock_skips_total ${lockSkips}`);
  for (const [state, n] of Object.entries(push.watchers))
    lines.watchers.push(`mailduct_watchers{state=${label(state)}} ${n}`);
  lines.reconnects.push(`mailduct_push_reconnects_total ${push.reconnects}`);
  for (const le of PUSH_BUCKETS)
    lines.pushLatency.push(
      `mailduct_push_latency_seconds_bucket{le=${label(le)}} ${global.get(`push_latency_le:${le}`) ?? 0}`,
    );
  lines.pushLatency.push(`mailduct_push_latency_seconds_bucket{le="+Inf"} ${global.get('push_latency_count') ?? 0}`);
  lines.pushLatency.push(`mailduct_push_latency_seconds_sum ${(global.get('push_latency_sum_ms') ?? 0) / 1000}`);
  lines.pushLatency.push(`mailduct_push_latency_seconds_count ${global.get('push_latency_count') ?? 0}`);
  for (const [queue, states] of Object.entries(queues))
    for (const [state, n] of Object.entries(states))
      lines.depth.push(`mailduct_queue_jobs{queue=${label(queue)},state=${label(state)}} ${n}`);
  return Object.entries(FAMILIES)
    .map(([key, [name, type, help]]) =>
      [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines[key as keyof Lines]].join('\n'),
    )
    .join('\n')
    .concat('\n');
}

/** The per-account counters as lines; returns the global ones (account 0) by name. */
function counterLines(counters: readonly CounterRow[], lines: Lines): Map<string, number> {
  const global = new Map<string, number>();
  for (const c of counters) {
    if (c.accountId === 0) {
      global.set(c.name, c.value);
      continue;
    }
    const a = c.accountId === null ? '' : `account_id=${label(c.accountId)},`;
    if (c.name.startsWith('messages_'))
      lines.messages.push(`mailduct_account_messages_total{${a}outcome=${label(c.name.slice(9))}} ${c.value}`);
    else if (c.name === 'bytes') lines.bytes.push(`mailduct_account_bytes_total${braces(a)} ${c.value}`);
    else if (c.name === 'runs_success')
      lines.runs.push(`mailduct_account_runs_total{${a}outcome="success",error_class=""} ${c.value}`);
    else if (c.name.startsWith('runs_failed:'))
      lines.runs.push(
        `mailduct_account_runs_total{${a}outcome="failed",error_class=${label(c.name.slice(12))}} ${c.value}`,
      );
  }
  return global;
}

/** The gauges of each account's live state. */
function accountLines(accounts: readonly AccountGaugeRow[], lines: Lines): void {
  for (const a of accounts) {
    const id = label(a.id);
    lines.oversized.push(`mailduct_account_oversized_messages{account_id=${id}} ${a.oversizedCount}`);
    lines.failures.push(`mailduct_account_consecutive_failures{account_id=${id}} ${a.consecutiveFailures}`);
    lines.parked.push(`mailduct_account_parked{account_id=${id}} ${a.parked ? 1 : 0}`);
    if (a.lastSuccessAt)
      lines.lastSuccess.push(
        `mailduct_account_last_success_timestamp_seconds{account_id=${id}} ${seconds(a.lastSuccessAt)}`,
      );
    if (!a.oauth2) continue;
    lines.reauthorization.push(
      `mailduct_account_oauth2_reauthorization_required{account_id=${id}} ${a.oauth2.authorizationRequired ? 1 : 0}`,
    );
    for (const [what, at] of [
      ['refresh_token', a.oauth2.refreshTokenExpiresAt],
      ['client_secret', a.oauth2.clientSecretExpiresAt],
    ] as const)
      if (at)
        lines.expiry.push(
          `mailduct_oauth2_token_expiry_timestamp_seconds{account_id=${id},token="${what}"} ${seconds(at)}`,
        );
  }
}

/** The account states as one line per family (many accounts). */
function totalLines(t: AccountTotals, lines: Lines): void {
  lines.oversized.push(`mailduct_account_oversized_messages ${t.oversized}`);
  lines.failures.push(`mailduct_account_consecutive_failures ${t.mostConsecutiveFailures}`);
  lines.parked.push(`mailduct_account_parked ${t.parked}`);
  lines.reauthorization.push(`mailduct_account_oauth2_reauthorization_required ${t.reauthorizationRequired}`);
  if (t.oldestLastSuccessAt)
    lines.lastSuccess.push(`mailduct_account_last_success_timestamp_seconds ${seconds(t.oldestLastSuccessAt)}`);
  for (const [what, at] of [
    ['refresh_token', t.soonestRefreshTokenExpiry],
    ['client_secret', t.soonestClientSecretExpiry],
  ] as const)
    if (at) lines.expiry.push(`mailduct_oauth2_token_expiry_timestamp_seconds{token="${what}"} ${seconds(at)}`);
}

function isRows(a: readonly AccountGaugeRow[] | AccountTotals): a is readonly AccountGaugeRow[] {
  return Array.isArray(a);
}

/** `{account_id="1",}` → `{account_id="1"}`; nothing → nothing. */
const braces = (labels: string) => (labels === '' ? '' : `{${labels.slice(0, -1)}}`);

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** The run duration histogram from the global counters. */
function durationLines(global: Map<string, number>, out: string[]): void {
  for (const le of DURATION_BUCKETS)
    out.push(`mailduct_fetch_duration_seconds_bucket{le=${label(le)}} ${global.get(`duration_le:${le}`) ?? 0}`);
  out.push(`mailduct_fetch_duration_seconds_bucket{le="+Inf"} ${global.get('duration_count') ?? 0}`);
  out.push(`mailduct_fetch_duration_seconds_sum ${(global.get('duration_sum_ms') ?? 0) / 1000}`);
  out.push(`mailduct_fetch_duration_seconds_count ${global.get('duration_count') ?? 0}`);
}
