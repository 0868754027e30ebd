import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new API token: `md_` + 32 random bytes, base64url. Shown once; only its hash is stored. */
export function generateToken(): string {
  return `md_${randomBytes(32).toString('base64url')}`;
}

/** Hex SHA-256 of a token, the form tokens are stored and looked up in. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
