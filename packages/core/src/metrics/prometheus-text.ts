import { DURATION_BUCKETS } from './fetch-counters.js';

/** One counter row as read from fetch_counter. */
export interface CounterRow {
  accountId: number;
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
}

type Family = { name: string; type: 'counter' | 'gauge' | 'histogram'; help: string; lines: string[] };

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
  accounts: readonly AccountGaugeRow[],
  queues: Record<string, Record<string, number>>,
  lockSkips: number,
): string {
  const f = (name: string, type: Family['type'], help: string): Family => ({ name, type, help, lines: [] });
  const messages = f(
    'mailduct_account_messages_total',
    'counter',
    'Messages handled per account, by outcome (fetched = newly stored).',
  );
  const bytes = f('mailduct_account_bytes_total', 'counter', 'Bytes downloaded per account.');
  const runs = f('mailduct_account_runs_total', 'counter', 'Fetch runs per account, by outcome and error class.');
  const oversized = f(
    'mailduct_account_oversized_messages',
    'gauge',
    'Messages above MAILDUCT_MAX_MESSAGE_BYTES left on the server at the last run.',
  );
  const failures = f('mailduct_account_consecutive_failures', 'gauge', 'Failed runs in a row.');
  const parked = f('mailduct_account_parked', 'gauge', '1 when the account was parked after repeated login failures.');
  const lastSuccess = f(
    'mailduct_account_last_success_timestamp_seconds',
    'gauge',
    'Unix time of the last successful run.',
  );
  const duration = f('mailduct_fetch_duration_seconds', 'histogram', 'Duration of fetch runs.');
  const skips = f(
    'mailduct_lock_skips_total',
    'counter',
    'Fetch jobs skipped because another fetcher held the account lock.',
  );
  const depth = f('mailduct_queue_jobs', 'gauge', 'Jobs in the BullMQ queues, by state.');
  const global = new Map<string, number>();
  for (const c of counters) {
    if (c.accountId === 0) {
      global.set(c.name, c.value);
      continue;
    }
    const a = label(c.accountId);
    if (c.name.startsWith('messages_'))
      messages.lines.push(
        `mailduct_account_messages_total{account_id=${a},outcome=${label(c.name.slice(9))}} ${c.value}`,
      );
    else if (c.name === 'bytes') bytes.lines.push(`mailduct_account_bytes_total{account_id=${a}} ${c.value}`);
    else if (c.name === 'runs_success')
      runs.lines.push(`mailduct_account_runs_total{account_id=${a},outcome="success",error_class=""} ${c.value}`);
    else if (c.name.startsWith('runs_failed:'))
      runs.lines.push(
        `mailduct_account_runs_total{account_id=${a},outcome="failed",error_class=${label(c.name.slice(12))}} ${c.value}`,
      );
  }
  for (const a of accounts) {
    const id = label(a.id);
    oversized.lines.push(`mailduct_account_oversized_messages{account_id=${id}} ${a.oversizedCount}`);
    failures.lines.push(`mailduct_account_consecutive_failures{account_id=${id}} ${a.consecutiveFailures}`);
    parked.lines.push(`mailduct_account_parked{account_id=${id}} ${a.parked ? 1 : 0}`);
    if (a.lastSuccessAt)
      lastSuccess.lines.push(
        `mailduct_account_last_success_timestamp_seconds{account_id=${id}} ${Math.floor(a.lastSuccessAt.getTime() / 1000)}`,
      );
  }
  for (const le of DURATION_BUCKETS) {
    duration.lines.push(
      `mailduct_fetch_duration_seconds_bucket{le=${label(le)}} ${global.get(`duration_le:${le}`) ?? 0}`,
    );
  }
  duration.lines.push(`mailduct_fetch_duration_seconds_bucket{le="+Inf"} ${global.get('duration_count') ?? 0}`);
  duration.lines.push(`mailduct_fetch_duration_seconds_sum ${(global.get('duration_sum_ms') ?? 0) / 1000}`);
  duration.lines.push(`mailduct_fetch_duration_seconds_count ${global.get('duration_count') ?? 0}`);
  skips.lines.push(`mailduct_lock_skips_total ${lockSkips}`);
  for (const [queue, states] of Object.entries(queues))
    for (const [state, n] of Object.entries(states))
      depth.lines.push(`mailduct_queue_jobs{queue=${label(queue)},state=${label(state)}} ${n}`);
  return [messages, bytes, runs, oversized, failures, parked, lastSuccess, duration, skips, depth]
    .map((fam) => [`# HELP ${fam.name} ${fam.help}`, `# TYPE ${fam.name} ${fam.type}`, ...fam.lines].join('\n'))
    .join('\n')
    .concat('\n');
}
