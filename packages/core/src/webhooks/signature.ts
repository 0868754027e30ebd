import { createHmac, randomBytes } from 'node:crypto';

/**
 * Signing by the Standard Webhooks specification (standardwebhooks.com), so a receiver can check
 * mailduct's requests with any of its verifier libraries: the secret is `whsec_` and 24 to 64
 * random bytes in base64; the signature is `v1,` and the base64 HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>` under those bytes.
 */
const PREFIX = 'whsec_';

/** A new signing secret (shown once, stored encrypted). */
export function newWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/** The headers of one signed request. */
export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Sign `body` (the exact bytes sent) for event `id` at `timestampSeconds`. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): SignedHeaders {
  if (!secret.startsWith(PREFIX)) throw new Error('a webhook secret starts with whsec_');
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  const timestamp = String(Math.floor(timestampSeconds));
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${mac}` };
}
