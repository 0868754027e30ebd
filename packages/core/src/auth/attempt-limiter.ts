import type { RedisClient } from '../redis/connection.js';
import { redisKeys } from '../redis/keys.js';

/** What a limiter said about one more attempt. */
export interface AttemptVerdict {
  allowed: boolean;
  /** Seconds until the window ends (for Retry-After). */
  retryAfterSeconds: number;
}

/**
 * Fixed-window attempt counting per key (a client address): at most `max` in `windowSeconds`.
 * Counted in Redis, so the limit holds across API replicas; while Redis cannot answer, each
 * process counts on its own, so the limit still holds per replica instead of switching off.
 */
export class AttemptLimiter {
  private readonly local = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** The limiter's name in its keys, e.g. `sign-in`. */
    private readonly name: string,
    private readonly max: number,
    private readonly windowSeconds: number,
  ) {}

  /** Count one attempt and say whether it is within the limit. */
  async take(key: string): Promise<AttemptVerdict> {
    return this.count(key, 1);
  }

  /**
   * Whether the key is over the limit now, without counting: one read (asked on every request
   * with a bearer token), the window's end only when over.
   */
  async blocked(key: string): Promise<AttemptVerdict> {
    const redisKey = redisKeys.attempts(this.prefix, this.name, key);
    try {
      const n = Number((await this.redis.get(redisKey)) ?? 0);
      const ttl = n < this.max ? -2 : await this.redis.ttl(redisKey);
      // Under the limit, or the window ended between the two reads.
      return ttl < 0 ? { allowed: true, retryAfterSeconds: 1 } : this.verdict(n, ttl, 0);
    } catch {
      return this.countLocally(key, 0);
    }
  }

  private async count(key: string, add: 0 | 1): Promise<AttemptVerdict> {
    const redisKey = redisKeys.attempts(this.prefix, this.name, key);
    try {
      const [[, n], [, ttl]] = (await this.redis
        .multi()
        .incrby(redisKey, add)
        .expire(redisKey, this.windowSeconds, 'NX')
        .ttl(redisKey)
        .exec()) as [[null, number], [null, number], [null, number]];
      return this.verdict(n, ttl, add);
    } catch {
      return this.countLocally(key, add);
    }
  }

  private verdict(n: number, ttlSeconds: number, add: 0 | 1): AttemptVerdict {
    // Counting: this attempt is the n-th; looking: the next one would be the (n+1)-th.
    const allowed = add === 1 ? n <= this.max : n < this.max;
    return { allowed, retryAfterSeconds: Math.max(1, ttlSeconds) };
  }

  private countLocally(key: string, add: 0 | 1): AttemptVerdict {
    const now = Date.now();
    let entry = this.local.get(key);
    if (!entry || entry.until <= now) {
      if (this.local.size > 10_000) this.local.clear();
      entry = { count: 0, until: now + this.windowSeconds * 1000 };
      this.local.set(key, entry);
    }
    entry.count += add;
    return this.verdict(entry.count, Math.ceil((entry.until - now) / 1000), add);
  }
}
