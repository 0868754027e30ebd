import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connection.js';
import { hashToken } from '../crypto/index.js';
import { redisKeys } from '../redis/keys.js';
import type { Principal } from './token-service.js';

/** A signed-in browser session of the admin UI. */
export interface Session {
  principal: Principal;
  /** Sent back in forms and the x-csrf-token header; compared on every state-changing request. */
  csrf: string;
  createdAt: number;
}

const TTL_SECONDS = 8 * 3600;

/**
 * Admin UI sessions in Redis, so any API replica can serve any browser. The cookie holds a
 * random id; Redis keys hold only its hash, so a Redis dump cannot be replayed as a cookie.
 * Sessions last 8 hours from the last use.
 */
export class SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async create(principal: Principal): Promise<{ id: string; session: Session }> {
    const id = randomBytes(32).toString('base64url');
    const session: Session = { principal, csrf: randomBytes(24).toString('base64url'), createdAt: Date.now() };
    await this.redis.set(this.key(id), JSON.stringify(session), 'EX', TTL_SECONDS);
    return { id, session };
  }

  /** The session for a cookie value, or null; extends its lifetime. */
  async get(id: string): Promise<Session | null> {
    if (!id || id.length > 100) return null;
    const raw = await this.redis.get(this.key(id));
    if (!raw) return null;
    void this.redis.expire(this.key(id), TTL_SECONDS).catch(() => undefined);
    return JSON.parse(raw) as Session;
  }

  async destroy(id: string): Promise<void> {
    if (id) await this.redis.del(this.key(id));
  }

  private key(id: string): string {
    return redisKeys.session(this.prefix, hashToken(id));
  }
}
