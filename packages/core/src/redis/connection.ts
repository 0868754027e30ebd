import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { redisTargetOf } from './redis-target.js';

/** A connection to one server, a Sentinel-named primary, or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * An ioredis connection to REDIS_URL: one server, the primary Sentinel names (found again after
 * a failover), or a Redis Cluster (slots found again after a failover). `forWorker` connections
 * retry commands forever (BullMQ Workers require maxRetriesPerRequest: null); the others fail
 * fast so an API request never hangs on a Redis outage.
 */
export function createRedis(url: string, options: { forWorker?: boolean; name?: string } = {}): RedisClient {
  const opts: RedisOptions = options.forWorker
    ? { maxRetriesPerRequest: null, enableReadyCheck: true }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 5000 };
  const common = { ...opts, connectionName: options.name, lazyConnect: false };
  const target = redisTargetOf(url);
  // A failover: reconnect to the new primary, and refuse writes on a demoted one.
  const reconnectOnError = (err: Error) => err.message.startsWith('READONLY');
  const auth = (t: { username?: string; password?: string }) => ({ username: t.username, password: t.password });
  let redis: RedisClient;
  if (target.kind === 'server') redis = new Redis(url, common);
  else if (target.kind === 'sentinel')
    redis = new Redis({
      ...common,
      ...auth(target),
      sentinels: target.sentinels,
      name: target.name,
      db: target.db,
      ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      reconnectOnError,
    });
  else
    redis = new Cluster(target.nodes, {
      redisOptions: { ...common, ...auth(target), ...(target.tls ? { tls: {} } : {}), reconnectOnError },
      enableReadyCheck: true,
      lazyConnect: false,
      // While a replica is promoted the slot answers CLUSTERDOWN or TRYAGAIN: wait, ask again.
      retryDelayOnClusterDown: 300,
      retryDelayOnFailover: 300,
      retryDelayOnTryAgain: 300,
      slotsRefreshTimeout: 2000,
    });
  // Connection errors are reported by health checks and retried by ioredis; an unhandled
  // 'error' event must not crash the process.
  redis.on('error', () => {});
  return redis;
}

export type { Redis };
