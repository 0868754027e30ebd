export { createRedis } from './connection.js';
export type { Redis } from './connection.js';
export { redisKeys } from './keys.js';
