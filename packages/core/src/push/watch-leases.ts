import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClient } from '../redis/connection.js';
import { redisKeys } from '../redis/keys.js';
import type { WatchState } from './watch-state.js';

/** What a watch lease says about its watcher (the API shows it). */
export interface WatchInfo {
  /** The watching process, host:pid. */
  owner: string;
  since: string;
  state: WatchState;
  reason: string | null;
}

// The value is "<token> <json>"; only the holder of the token may rewrite, extend or delete it.
const RENEW = `local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ' ' then
  redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'PX', ARGV[3]) return 1 end
return 0`;
const RENEW_SHA = createHash('sha1').update(RENEW).digest('hex');
const RELEASE = `local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ' ' then return redis.call('DEL', KEYS[1]) end
return 0`;

function infoOf(v: string | null | undefined): WatchInfo | null {
  const json = v?.slice(v.indexOf(' ') + 1);
  try {
    return json ? (JSON.parse(json) as WatchInfo) : null;
  } catch {
    return null;
  }
}

/**
 * Who watches an account with IMAP IDLE: one lease per account in Redis (`SET NX PX`), held by one
 * fetcher process at a time and renewed by it; when the process dies or loses Redis, the lease
 * expires and another process takes the account over.
 */
export class WatchLeases {
  /** This process's lease token (host:pid:random). */
  readonly token = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    readonly ttlMs: number,
  ) {}

  /** Take an account's lease; false when another process holds it. */
  async acquire(accountId: number, info: WatchInfo): Promise<boolean> {
    const ok = await this.redis.set(this.key(accountId), this.value(info), 'PX', this.ttlMs, 'NX');
    return ok === 'OK';
  }

  /** Extend the lease (and record the watcher's state); false when it was lost. */
  async renew(accountId: number, info: WatchInfo): Promise<boolean> {
    return (await this.renewMany([[accountId, info]]))[0] === true;
  }

  /**
   * Extend many leases in one round trip (a pipeline); for each, false when it was lost, null when
   * Redis did not answer for it.
   */
  async renewMany(leases: readonly (readonly [number, WatchInfo])[]): Promise<(boolean | null)[]> {
    if (leases.length === 0) return [];
    const results = this.redis.isCluster ? await this.renewEach(leases) : await this.renewPipelined(leases);
    return leases.map((_, i) => {
      const [err, r] = results[i] ?? [new Error('no answer'), null];
      return err ? null : r === 1;
    });
  }

  /** One pipeline: one server holds every lease. */
  private async renewPipelined(leases: readonly (readonly [number, WatchInfo])[]) {
    const send = () => {
      const pipeline = this.redis.pipeline();
      for (const [id, info] of leases)
        pipeline.evalsha(RENEW_SHA, 1, this.key(id), this.token, JSON.stringify(info), this.ttlMs);
      return pipeline.exec().then((r) => r ?? []);
    };
    let results = await send();
    if (results.some(([err]) => err && /NOSCRIPT/.test(String(err)))) {
      await this.redis.script('LOAD', RENEW);
      results = await send();
    }
    return results;
  }

  /**
   * A Redis Cluster spreads the leases over its primaries, and a pipeline must stay on one: each
   * renewal goes alone, all sent at once.
   */
  private renewEach(leases: readonly (readonly [number, WatchInfo])[]): Promise<[Error | null, unknown][]> {
    return Promise.all(
      leases.map(([id, info]) =>
        this.redis.eval(RENEW, 1, this.key(id), this.token, JSON.stringify(info), this.ttlMs).then(
          (r): [null, unknown] => [null, r],
          (err: Error): [Error, null] => [err, null],
        ),
      ),
    );
  }

  async release(accountId: number): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(accountId), this.token);
  }

  /** Who watches an account now, if anyone. */
  async read(accountId: number): Promise<WatchInfo | null> {
    return infoOf(await this.redis.get(this.key(accountId)));
  }

  /** Who watches each of these accounts (one MGET per thousand; on a Cluster, whose slots differ, GETs). */
  async readMany(accountIds: readonly number[]): Promise<(WatchInfo | null)[]> {
    const out: (WatchInfo | null)[] = [];
    for (let i = 0; i < accountIds.length; i += 1000) {
      const keys = accountIds.slice(i, i + 1000).map((id) => this.key(id));
      const values = this.redis.isCluster
        ? await Promise.all(keys.map((k) => this.redis.get(k)))
        : await this.redis.mget(...keys);
      out.push(...values.map(infoOf));
    }
    return out;
  }

  private key(accountId: number): string {
    return redisKeys.watchLease(this.prefix, accountId);
  }

  private value(info: WatchInfo): string {
    return `${this.token} ${JSON.stringify(info)}`;
  }
}
