import { Redis, type RedisOptions } from 'ioredis';

/**
 * An ioredis connection. `forWorker` connections retry commands forever (BullMQ Workers require
 * maxRetriesPerRequest: null); the others fail fast so an API request never hangs on a Redis outage.
 */
export function createRedis(url: string, options: { forWorker?: boolean; name?: string } = {}): Redis {
  const opts: RedisOptions = options.forWorker
    ? { maxRetriesPerRequest: null, enableReadyCheck: true }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 5000 };
  const redis = new Redis(url, { ...opts, connectionName: options.name, lazyConnect: false });
  // Connection errors are reported by health checks and retried by ioredis; an unhandled
  // 'error' event must not crash the process.
  redis.on('error', () => {});
  return redis;
}

export type { Redis };
