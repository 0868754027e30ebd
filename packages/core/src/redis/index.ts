export { createRedis } from './connection.js';
export type { Redis, RedisClient } from './connection.js';
export { redisKeys } from './keys.js';
