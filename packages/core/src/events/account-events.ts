import type { Redis } from 'ioredis';
import type { AccountChange } from '../accounts/index.js';

/** The Redis pub/sub channel account changes are announced on. */
export function accountChangeChannel(prefix: string): string {
  return `${prefix}:account-changes`;
}

/** The counter bumped on every account change (see AccountDirectory). */
export function accountVersionKey(prefix: string): string {
  return `${prefix}:accounts:version`;
}

/**
 * Announce a committed account change: bump the change counter and publish the change, so the
 * scheduler reacts at once and list caches reload. A lost announcement is healed by the
 * scheduler's periodic reconcile and the directory's maximum age.
 */
export async function announceAccountChange(redis: Redis, prefix: string, change: AccountChange): Promise<void> {
  await redis
    .multi()
    .incr(accountVersionKey(prefix))
    .publish(accountChangeChannel(prefix), JSON.stringify(change))
    .exec();
}

/** The current change counter ('0' before the first change). */
export async function readAccountVersion(redis: Redis, prefix: string): Promise<string> {
  return (await redis.get(accountVersionKey(prefix))) ?? '0';
}

/** Parse an announcement; null for anything that is not one. */
export function parseAccountChange(message: string): AccountChange | null {
  try {
    const v = JSON.parse(message) as Partial<AccountChange>;
    if (Number.isInteger(v.accountId) && (v.kind === 'created' || v.kind === 'updated' || v.kind === 'deleted'))
      return v as AccountChange;
  } catch {
    // not JSON: ignored
  }
  return null;
}

/** The counter of fetch jobs skipped because the account lock was held (mailduct_lock_skips_total). */
export function lockSkipsKey(prefix: string): string {
  return `${prefix}:metrics:lock-skips`;
}
