import type { FetchTrigger } from '../jobs/index.js';

/** What decides whether a fetch job runs: the account as stored now (null: deleted). */
export interface RunnableAccount {
  id: number;
  validity: 'valid' | 'invalid' | 'invalid_temporarily';
  backoffUntil: Date | null;
}

export type RunDecision = { run: true } | { run: false; reason: string };

/**
 * Whether a fetch job should run. A scheduled run is skipped for an account that is no longer
 * valid (its schedule is being removed) or is backing off after failures, and so is a pushed one
 * (IMAP IDLE announced new mail); a fetch-now (manual)
 * run always goes ahead, also for a non-valid account, as OTOBO's "Fetch mail" does. A deleted
 * account is never fetched.
 */
export function shouldRun(
  account: RunnableAccount | null,
  accountId: number,
  trigger: FetchTrigger,
  now: Date,
): RunDecision {
  if (!account) return { run: false, reason: `mail account ${accountId} no longer exists` };
  // Pushed runs (IMAP IDLE) are the schedule's, only sooner.
  if (trigger !== 'schedule' && trigger !== 'push') return { run: true };
  if (account.validity !== 'valid')
    return { run: false, reason: `mail account ${accountId} is ${account.validity.replace('_', '-')}` };
  if (account.backoffUntil && account.backoffUntil > now)
    return { run: false, reason: `backing off until ${account.backoffUntil.toISOString()}` };
  return { run: true };
}
