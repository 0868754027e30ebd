import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { MailductError } from '../errors/index.js';

const VERSION = 'v1';
const IV_BYTES = 12;

interface Key {
  id: string;
  bytes: Buffer;
}

/**
 * Encrypts account passwords with AES-256-GCM. The envelope is
 * `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts), so a password written under an old key
 * can still be read after the current key changed, and `keys rotate` can re-encrypt it.
 */
export class SecretBox {
  private readonly current: Key;
  private readonly byId: Map<string, Key>;

  /** @param currentKey base64 32-byte key used for new envelopes; @param oldKeys keys still accepted for reading. */
  constructor(currentKey: string, oldKeys: readonly string[] = []) {
    this.current = toKey(currentKey);
    this.byId = new Map([this.current, ...oldKeys.map(toKey)].map((k) => [k.id, k]));
  }

  /** The id of the key new envelopes are written with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  /** Encrypt a UTF-8 secret under the current key. */
  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    cipher.setAAD(Buffer.from(`${VERSION}.${this.current.id}`));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, this.current.id, iv, cipher.getAuthTag(), body].map(encodePart).join('.');
  }

  /** Decrypt an envelope. Throws SECRET_UNREADABLE for unknown keys or tampered data (never echoing it). */
  open(envelope: string): string {
    const [version, keyId, iv, tag, body] = envelope.split('.');
    const key = keyId === undefined ? undefined : this.byId.get(keyId);
    if (version !== VERSION || !key || iv === undefined || tag === undefined || body === undefined) {
      throw new MailductError(
        'SECRET_UNREADABLE',
        `stored secret cannot be decrypted: key ${keyId ?? '?'} is not configured`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`${VERSION}.${keyId}`));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new MailductError('SECRET_UNREADABLE', 'stored secret failed authentication (wrong key or corrupted)', {
        cause,
      });
    }
  }

  /** True when the envelope was not written with the current key and should be re-encrypted. */
  needsRotation(envelope: string): boolean {
    return envelope.split('.')[1] !== this.current.id;
  }
}

function encodePart(part: string | Buffer): string {
  return typeof part === 'string' ? part : part.toString('base64url');
}

function toKey(base64: string): Key {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== 32) throw new MailductError('CONFIG_INVALID', 'secret key must be 32 bytes, base64-encoded');
  return { id: keyIdOf(bytes), bytes };
}

/** A short, public fingerprint of a key: the first 8 hex digits of its SHA-256. */
export function keyIdOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 8);
}
