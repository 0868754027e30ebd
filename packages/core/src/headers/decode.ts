import libmime from 'libmime';

/**
 * Decode RFC 2047 encoded words; a malformed word is left as it is rather than failing. Text
 * without "=?" holds no encoded word and is returned as it is, without libmime's five regex passes
 * (most display names and subjects).
 */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}
