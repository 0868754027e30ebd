import libmime from 'libmime';

/** Decode RFC 2047 encoded words; a malformed word is left as it is rather than failing. */
export function decodeWords(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}
