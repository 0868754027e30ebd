import type { RedisClient } from '../redis/connection.js';
import type { AccountChange } from '../accounts/index.js';
import { redisKeys } from '../redis/keys.js';

/**
 * Announce a committed account change: bump the change counter and publish the change, so the
 * scheduler reacts at once and list caches reload. A lost announcement is healed by the
 * scheduler's periodic reconcile and the directory's maximum age.
 */
export async function announceAccountChange(redis: RedisClient, prefix: string, change: AccountChange): Promise<void> {
  await redis
    .multi()
    .incr(redisKeys.accountVersion(prefix))
    .publish(redisKeys.accountChanges(prefix), JSON.stringify(change))
    .exec();
}

/** The current change counter ('0' before the first change). */
export async function readAccountVersion(redis: RedisClient, prefix: string): Promise<string> {
  return (await redis.get(redisKeys.accountVersion(prefix))) ?? '0';
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
