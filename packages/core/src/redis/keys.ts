/**
 * Every Redis key mailduct itself writes, under MAILDUCT_QUEUE_PREFIX. BullMQ's keys are beside
 * them as `<prefix>:<queue>:…` (queues in jobs/job-catalogue.ts; on a Redis Cluster each queue's
 * under a hash tag of its own, jobs/bull-queues.ts). These carry no tag: each is used alone, so on
 * a cluster they spread over the slots. One place, so a key is never spelled twice.
 */
export const redisKeys = {
  /** An account's fetch lock (lock/account-lock.ts): the holder's token, with a TTL it renews. */
  accountLock: (prefix: string, accountId: number) => `${prefix}:lock:account:${accountId}`,
  /** A UI session by the SHA-256 of its cookie value (auth/session-store.ts). */
  session: (prefix: string, cookieHash: string) => `${prefix}:session:${cookieHash}`,
  /** Attempts counted by one limiter for one client (auth/attempt-limiter.ts). */
  attempts: (prefix: string, limiter: string, client: string) => `${prefix}:rate-limit:${limiter}:${client}`,
  /** The pub/sub channel account changes are announced on (events/account-events.ts). */
  accountChanges: (prefix: string) => `${prefix}:account-changes`,
  /** The counter bumped on every account change (accounts/account-directory.ts reloads on it). */
  accountVersion: (prefix: string) => `${prefix}:accounts:version`,
  /** Fetch jobs skipped because another process held the account lock (mailduct_lock_skips_total). */
  lockSkips: (prefix: string) => `${prefix}:metrics:lock-skips`,
  /** Held while one process refreshes an account's OAuth2 token (oauth2/access-tokens.ts): one refresh for all. */
  oauth2Refresh: (prefix: string, accountId: number) => `${prefix}:oauth2:refresh:${accountId}`,
  /** A pending OAuth2 sign-in by its state (oauth2/authorization-flow.ts): single use, 10 minutes. */
  oauth2State: (prefix: string, state: string) => `${prefix}:oauth2:state:${state}`,
  /** A device-code sign-in in progress for an account (oauth2/authorization-flow.ts). */
  oauth2Device: (prefix: string, accountId: number) => `${prefix}:oauth2:device:${accountId}`,
  /** Which fetcher process watches an account with IMAP IDLE (push/watch-leases.ts): its token and state, with a TTL it renews. */
  watchLease: (prefix: string, accountId: number) => `${prefix}:push:watch:${accountId}`,
  /** IDLE connections that failed and were opened again (mailduct_push_reconnects_total). */
  pushReconnects: (prefix: string) => `${prefix}:metrics:push-reconnects`,
} as const;
