import type { Redis } from 'ioredis';
import type { AccountChange } from '../accounts/index.js';

/** The Redis pub/sub channel account changes are announced on. */
export function accountChangeChannel(prefix: string): string {
  return `${prefix}:account-changes`;
}

/** Announce a committed account change (the scheduler reacts at once; a lost message is healed by its periodic reconcile). */
export async function publishAccountChange(redis: Redis, prefix: string, change: AccountChange): Promise<void> {
  await redis.publish(accountChangeChannel(prefix), JSON.stringify(change));
}

/** Parse an announcement; null for anything that is not one. */
export function parseAccountChange(message: string): AccountChange | null {
  try {
    const v = JSON.parse(message) as Partial<AccountChange>;
    if (Number.isInteger(v.accountId) && (v.kind === 'created' || v.kind === 'updated' || v.kind === 'deleted')) return v as AccountChange;
  } catch {
    // not JSON: ignored
  }
  return null;
}
