import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isMailductError } from '../errors/index.js';
import { SecretBox } from './secret-box.js';

const key = () => randomBytes(32).toString('base64');

describe(SecretBox.name, () => {
  it('round-trips a secret and never stores it in the envelope', () => {
    const box = new SecretBox(key());
    const envelope = box.seal('pässwörd with spaces');
    expect(envelope).not.toContain('pässwörd');
    expect(envelope.startsWith(`v1.${box.currentKeyId}.`)).toBe(true);
    expect(box.open(envelope)).toBe('pässwörd with spaces');
  });

  it('uses a fresh IV each time', () => {
    const box = new SecretBox(key());
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('reads envelopes of old keys and flags them for rotation', () => {
    const oldKey = key();
    const envelope = new SecretBox(oldKey).seal('secret');
    const rotated = new SecretBox(key(), [oldKey]);
    expect(rotated.needsRotation(envelope)).toBe(true);
    expect(rotated.open(envelope)).toBe('secret');
    expect(rotated.needsRotation(rotated.seal('secret'))).toBe(false);
  });

  it('refuses envelopes of unknown keys without echoing them', () => {
    const envelope = new SecretBox(key()).seal('secret');
    try {
      new SecretBox(key()).open(envelope);
      expect.unreachable();
    } catch (err) {
      expect(isMailductError(err, 'SECRET_UNREADABLE')).toBe(true);
      expect((err as Error).message).not.toContain(envelope);
    }
  });

  it('detects tampering', () => {
    const box = new SecretBox(key());
    const parts = box.seal('secret').split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow(/failed authentication/);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
