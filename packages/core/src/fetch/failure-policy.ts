import type { ErrorClass } from '../errors/index.js';
import { TRANSIENT_CLASSES } from '../errors/index.js';

/** The account fields the policy reads. */
export interface FailureState {
  consecutiveFailures: number;
  consecutiveAuthFailures: number;
  pollIntervalSeconds: number;
}

/** What to do after a failed run. */
export interface FailureAction {
  /** Park the account (validity invalid-temporarily) with this reason. */
  park: string | null;
  /** Skip scheduled runs until then (transient errors). */
  backoffUntil: Date | null;
}

/**
 * After a failed run: transient classes (network, timeout, server busy, storage) back off
 * exponentially from 30 s, with ±20 % jitter, capped at the poll interval; `parkAfter`
 * consecutive auth failures park the account, and so does at once an OAuth2 grant the provider
 * refused or one nobody has made yet (retrying cannot help, and would only hammer the provider).
 * `random` is injectable for tests.
 */
export function onFailure(
  error: ErrorClass | { class: ErrorClass; code: string },
  state: FailureState,
  now: Date,
  parkAfter: number,
  random: () => number = Math.random,
): FailureAction {
  const errorClass = typeof error === 'string' ? error : error.class;
  const code = typeof error === 'string' ? null : error.code;
  if (code === 'OAUTH2_REAUTHORIZATION_REQUIRED')
    return {
      park: 'the OAuth2 provider refused the grant (revoked, expired or password changed): authorize the account again',
      backoffUntil: null,
    };
  if (code === 'OAUTH2_AUTHORIZATION_REQUIRED')
    return { park: 'nobody has authorized the account with its OAuth2 provider yet: authorize it', backoffUntil: null };
  if (errorClass === 'auth' && state.consecutiveAuthFailures >= parkAfter) {
    return {
      park: `login refused ${state.consecutiveAuthFailures} times in a row; fix the credentials and set the account valid again`,
      backoffUntil: null,
    };
  }
  if (!TRANSIENT_CLASSES.has(errorClass)) return { park: null, backoffUntil: null };
  const exponent = Math.min(state.consecutiveFailures - 1, 20);
  const base = Math.min(30_000 * 2 ** Math.max(0, exponent), state.pollIntervalSeconds * 1000);
  const jittered = base * (0.8 + 0.4 * random());
  return { park: null, backoffUntil: new Date(now.getTime() + Math.round(jittered)) };
}
