/**
 * What happens after one attempt to deliver a webhook event: delivered, retried later, or given
 * up. Retried: 5xx, 408, 429, timeouts and connection errors, with exponential backoff and jitter
 * (or the receiver's Retry-After, when later), for 24 h after the first attempt. Not retried: any
 * other 4xx (the receiver refuses this event), and 3xx (redirects are not followed: the URL is
 * wrong). A webhook that has delivered nothing for 24 h is disabled.
 */

/** How long an event is retried after its first attempt, and a failing webhook kept enabled. */
export const RETRY_WINDOW_MS = 24 * 3600 * 1000;
const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 3600 * 1000;
/** A Retry-After beyond this is not waited for: the next try comes after it at the latest. */
const MAX_RETRY_AFTER_MS = 6 * 3600 * 1000;

/** One attempt's result: the status the receiver answered, or why there was none. */
export type AttemptResult =
  | { status: number; retryAfter?: string | null }
  | { error: 'timeout' | 'connection' | 'refused-address'; message: string };

export type DeliveryDecision =
  | { outcome: 'delivered' }
  | { outcome: 'retry'; delayMs: number; reason: string }
  | { outcome: 'failed'; reason: string };

/**
 * The decision after attempt number `attempt` (1 = the first) of an event first tried at
 * `firstAttemptAt`. `random` is for tests (jitter: ±20 %).
 */
export function decideDelivery(
  result: AttemptResult,
  attempt: number,
  firstAttemptAt: number,
  now: number,
  random: () => number = Math.random,
): DeliveryDecision {
  let reason: string;
  let retryAfterMs = 0;
  if ('status' in result) {
    const { status } = result;
    if (status >= 200 && status < 300) return { outcome: 'delivered' };
    if (status >= 300 && status < 400)
      return { outcome: 'failed', reason: `answered ${status}: redirects are not followed` };
    if (status >= 400 && status < 500 && status !== 408 && status !== 429)
      return { outcome: 'failed', reason: `answered ${status}: the receiver refused the event` };
    reason = `answered ${status}`;
    retryAfterMs = retryAfterOf(result.retryAfter, now);
  } else {
    if (result.error === 'refused-address') return { outcome: 'failed', reason: result.message };
    reason = result.message;
  }
  const backoff = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt - 1, 20));
  const delayMs = Math.round(Math.max(backoff * (0.8 + random() * 0.4), retryAfterMs));
  if (now + delayMs - firstAttemptAt > RETRY_WINDOW_MS)
    return { outcome: 'failed', reason: `${reason}; retried for 24 h` };
  return { outcome: 'retry', delayMs, reason };
}

/** Retry-After (RFC 9110 §10.2.3): seconds, or an HTTP date; 0 when absent or unreadable. */
export function retryAfterOf(value: string | null | undefined, now: number): number {
  if (!value) return 0;
  const v = value.trim();
  const ms = /^\d{1,10}$/.test(v) ? Number(v) * 1000 : v.length <= 64 ? Date.parse(v) - now : NaN;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : 0;
}

/** Whether a webhook that has failed since `failingSince` (nothing delivered) is to be disabled now. */
export function disableFailingWebhook(failingSince: Date | null, now: number): boolean {
  return failingSince !== null && now - failingSince.getTime() >= RETRY_WINDOW_MS;
}
