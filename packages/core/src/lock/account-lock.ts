import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClient } from '../redis/connection.js';
import { MailductError } from '../errors/index.js';
import { redisKeys } from '../redis/keys.js';

// Compare-and-act scripts: only the holder of the token may extend or delete the lock.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** A held per-account lock. */
export interface HeldLock {
  readonly accountId: number;
  readonly token: string;
  /** True once renewal found the lock gone or taken over (or could not renew within the TTL). */
  readonly lost: boolean;
  /** Check with Redis that the lock is still ours; throws LOCK_LOST otherwise. Call before deleting on the server. */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Per-account locks in Redis (`SET key token NX PX ttl`), renewed every ttl/3 while held,
 * released with compare-and-delete. A holder that loses its lock (paused process, Redis
 * failover) learns it at the next renewal or `assertHeld`, and must stop before deleting mail.
 */
export class AccountLocks {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  /** The Redis key of an account's lock. */
  key(accountId: number): string {
    return redisKeys.accountLock(this.prefix, accountId);
  }

  /** Take the lock, or null when another process holds it. */
  async acquire(accountId: number, purpose = 'fetch'): Promise<HeldLock | null> {
    const token = `${hostname()}:${process.pid}:${purpose}:${randomBytes(6).toString('hex')}`;
    const key = this.key(accountId);
    const ok = await this.redis.set(key, token, 'PX', this.ttlMs, 'NX');
    if (ok !== 'OK') return null;
    return new Lock(this.redis, key, accountId, token, this.ttlMs);
  }

  /** Who holds an account's lock (the token: host:pid:purpose:random), if anyone. */
  async holder(accountId: number): Promise<string | null> {
    return this.redis.get(this.key(accountId));
  }
}

class Lock implements HeldLock {
  private isLost = false;
  private lastRenewed = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    readonly accountId: number,
    readonly token: string,
    private readonly ttlMs: number,
  ) {
    this.timer = setInterval(() => void this.renew(), Math.max(250, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  get lost(): boolean {
    if (!this.isLost && Date.now() - this.lastRenewed >= this.ttlMs) this.isLost = true;
    return this.isLost;
  }

  async assertHeld(): Promise<void> {
    if (!this.lost) {
      try {
        if ((await this.redis.get(this.key)) === this.token) return;
      } catch {
        // cannot prove we hold it: treat as lost
      }
      this.isLost = true;
    }
    throw new MailductError(
      'LOCK_LOST',
      `lock of account ${this.accountId} was lost; stopping before deleting anything`,
    );
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.redis.eval(RELEASE, 1, this.key, this.token);
    } catch {
      // it expires on its own
    }
  }

  private async renew(): Promise<void> {
    if (this.isLost) return;
    try {
      const renewed = await this.redis.eval(RENEW, 1, this.key, this.token, String(this.ttlMs));
      if (renewed === 1) this.lastRenewed = Date.now();
      else this.isLost = true;
    } catch {
      // Redis unreachable: `lost` turns true once the TTL has passed without a renewal.
    }
  }
}
