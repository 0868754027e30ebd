import { Cluster } from 'ioredis';
import type { RedisClient } from '@mailduct/core/redis';

/**
 * Every value under a key prefix as text, each followed by its key: to search Redis for what
 * must not be there. On a Redis Cluster, every primary's keys, BullMQ's hash-tagged ones too.
 */
export async function dumpRedis(client: RedisClient, prefix: string): Promise<string> {
  let dump = '';
  for (const redis of client instanceof Cluster ? client.nodes('master') : [client]) {
    const keys = [...(await redis.keys(`${prefix}:*`)), ...(await redis.keys(`{${prefix}:*`))];
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'string') dump += await redis.get(key);
      else if (type === 'hash') dump += JSON.stringify(await redis.hgetall(key));
      else if (type === 'list') dump += JSON.stringify(await redis.lrange(key, 0, -1));
      else if (type === 'set') dump += JSON.stringify(await redis.smembers(key));
      else if (type === 'zset') dump += JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'));
      else if (type === 'stream') dump += JSON.stringify(await redis.xrange(key, '-', '+'));
      dump += `\n${key}\n`;
    }
  }
  return dump;
}
