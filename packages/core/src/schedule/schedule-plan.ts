import { createHash } from 'node:crypto';
import { schedulerId, type FetchJobData } from '../jobs/index.js';

/** An account as the scheduler sees it. */
export interface SchedulableAccount {
  id: number;
  valid: boolean;
  pollIntervalSeconds: number;
}

/** The job scheduler an account should have. */
export interface SchedulerSpec {
  id: string;
  accountId: number;
  every: number;
  /** Milliseconds into each interval: a stable per-account spread, so 10,000 accounts never fire together. */
  offset: number;
  data: FetchJobData;
}

/** A job scheduler that exists in Redis. */
export interface ExistingScheduler {
  id: string;
  every: number | null;
  offset: number | null;
}

/** The stable offset of an account within its interval (SHA-256 of the id, mod the interval). */
export function offsetOf(accountId: number, everyMs: number): number {
  const h = createHash('sha256').update(`account:${accountId}`).digest();
  return h.readUInt32BE(0) % everyMs;
}

/** The scheduler a valid account needs, or null for an invalid one. */
export function specFor(a: SchedulableAccount): SchedulerSpec | null {
  if (!a.valid) return null;
  const every = a.pollIntervalSeconds * 1000;
  return {
    id: schedulerId(a.id),
    accountId: a.id,
    every,
    offset: offsetOf(a.id, every),
    data: { accountId: a.id, trigger: 'schedule' },
  };
}

/** What to change so that Redis holds exactly one scheduler per valid account, with its interval. */
export interface ReconcilePlan {
  upsert: SchedulerSpec[];
  remove: string[];
  unchanged: number;
}

/** Compare wanted and existing schedulers. Pure; the scheduler app carries the plan out. */
export function planReconcile(
  accounts: readonly SchedulableAccount[],
  existing: readonly ExistingScheduler[],
): ReconcilePlan {
  const have = new Map(existing.map((e) => [e.id, e]));
  const wanted = new Set<string>();
  const upsert: SchedulerSpec[] = [];
  let unchanged = 0;
  for (const a of accounts) {
    const spec = specFor(a);
    if (!spec) continue;
    wanted.add(spec.id);
    const e = have.get(spec.id);
    if (e && e.every === spec.every && e.offset === spec.offset) unchanged++;
    else upsert.push(spec);
  }
  const remove = existing.filter((e) => e.id.startsWith('account:') && !wanted.has(e.id)).map((e) => e.id);
  return { upsert, remove, unchanged };
}
