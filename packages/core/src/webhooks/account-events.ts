import type { AccountEventData, WebhookEventType } from './webhook-events.js';

/** Consecutive failed runs before account.failed is sent (once; not on every run after). */
export const FAILURES_BEFORE_EVENT = 3;

/** An account's state around one run, as the run recorder saw it. */
export interface RunTransition {
  /** consecutive failures before the run */
  failuresBefore: number;
  /** consecutive failures after it (0 on success) */
  failuresAfter: number;
  /** the run parked the account */
  parked: boolean;
  /** the run's failure code, null on success */
  errorCode: string | null;
}

/**
 * The account events one run gives, so the people are told once per trouble, not every run:
 * account.failed when the failures reach FAILURES_BEFORE_EVENT in a row; account.parked when the
 * run parked the account (and account.reauthorization_required when an OAuth2 grant is gone);
 * account.recovered on the first success after account.failed.
 */
export function accountEventsOf(t: RunTransition): WebhookEventType[] {
  const events: WebhookEventType[] = [];
  if (t.failuresAfter === FAILURES_BEFORE_EVENT && t.failuresBefore < FAILURES_BEFORE_EVENT)
    events.push('account.failed');
  if (t.parked) events.push('account.parked');
  if (t.parked && t.errorCode === 'OAUTH2_REAUTHORIZATION_REQUIRED') events.push('account.reauthorization_required');
  if (t.errorCode === null && t.failuresBefore >= FAILURES_BEFORE_EVENT) events.push('account.recovered');
  return events;
}

/** The data of an account event. */
export function accountEventData(
  account: { id: number; type: string; host: string; username: string; parkedReason: string | null },
  failures: number,
  error: { class: string; code: string; message: string } | null,
): AccountEventData {
  return {
    accountId: account.id,
    type: account.type,
    host: account.host,
    username: account.username,
    consecutiveFailures: failures,
    error: error ? { class: error.class, code: error.code, message: error.message.slice(0, 1000) } : null,
    parkedReason: account.parkedReason,
  };
}
