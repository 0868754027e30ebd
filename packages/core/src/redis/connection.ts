import { Redis, type RedisOptions } from 'ioredis';
import { redisTargetOf } from './redis-target.js';

/**
 * An ioredis connection to REDIS_URL: one server, or the primary Sentinel names (found again
 * after a failover). `forWorker` connections retry commands forever (BullMQ Workers require
 * maxRetriesPerRequest: null); the others fail fast so an API request never hangs on a Redis outage.
 */
export function createRedis(url: string, options: { forWorker?: boolean; name?: string } = {}): Redis {
  const opts: RedisOptions = options.forWorker
    ? { maxRetriesPerRequest: null, enableReadyCheck: true }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 5000 };
  const common = { ...opts, connectionName: options.name, lazyConnect: false };
  const target = redisTargetOf(url);
  const redis =
    target.kind === 'server'
      ? new Redis(url, common)
      : new Redis({
          ...common,
          sentinels: target.sentinels,
          name: target.name,
          db: target.db,
          username: target.username,
          password: target.password,
          ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
          // A failover: reconnect to the new primary, and refuse writes on a demoted one.
          reconnectOnError: (err) => err.message.startsWith('READONLY'),
        });
  // Connection errors are reported by health checks and retried by ioredis; an unhandled
  // 'error' event must not crash the process.
  redis.on('error', () => {});
  return redis;
}

export type { Redis };
