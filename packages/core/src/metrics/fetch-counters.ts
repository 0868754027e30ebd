import type { ErrorClass } from '../errors/index.js';

/** Upper bounds (seconds) of the run-duration histogram buckets. */
export const DURATION_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600] as const;

/** Upper bounds (seconds) of the push latency buckets: new mail seen in IDLE → its tickets enqueued. */
export const PUSH_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30] as const;

/**
 * The counters one finished run adds: per account, and to the global histograms (account 0): the
 * run's duration, and for a pushed run that stored new mail, the time from IDLE's notice to its end.
 */
export function countersOfRun(
  run: { fetched: number; dispatched: number; ignored: number; quarantined: number; duplicates: number; bytes: number },
  error: ErrorClass | null,
  durationMs: number,
  pushedMs?: number,
): { perAccount: Record<string, number>; global: Record<string, number> } {
  const perAccount: Record<string, number> = {
    messages_fetched: run.fetched,
    messages_dispatched: run.dispatched,
    messages_ignored: run.ignored,
    messages_quarantined: run.quarantined,
    messages_duplicate: run.duplicates,
    bytes: run.bytes,
    [error ? `runs_failed:${error}` : 'runs_success']: 1,
  };
  const seconds = durationMs / 1000;
  const global: Record<string, number> = { duration_count: 1, duration_sum_ms: Math.round(durationMs) };
  for (const le of DURATION_BUCKETS) if (seconds <= le) global[`duration_le:${le}`] = 1;
  if (pushedMs !== undefined && pushedMs >= 0 && run.fetched > 0 && !error) {
    global.push_latency_count = 1;
    global.push_latency_sum_ms = Math.round(pushedMs);
    for (const le of PUSH_BUCKETS) if (pushedMs / 1000 <= le) global[`push_latency_le:${le}`] = 1;
  }
  return { perAccount, global };
}
