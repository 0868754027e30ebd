/**
 * What PostgreSQL refuses in text and jsonb: NUL (U+0000, "invalid byte sequence" in text,
 * "unsupported Unicode escape sequence" in jsonb) and UTF-16 surrogates without their pair
 * (which an RFC 2047 word in UTF-16 can decode to).
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** `text` with each character PostgreSQL refuses replaced by U+FFFD. */
export function storableText(text: string): string {
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, '\uFFFD') : text;
}

/**
 * JSON-like data (plain objects, arrays, strings, numbers, booleans, null) with every string,
 * keys included, made storable by `storableText`. Returns the same value when nothing had to change,
 * so the common case allocates nothing.
 */
export function storableStrings<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((item, i) => {
      const fixed = storableStrings(item);
      if (fixed !== item) (copy ??= [...value])[i] = fixed;
    });
    return (copy ?? value) as T;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    let copy: Record<string, unknown> | null = null;
    for (const [key, item] of Object.entries(value)) {
      const fixedKey = storableText(key);
      const fixed = storableStrings(item);
      if (fixed === item && fixedKey === key) continue;
      copy ??= { ...(value as Record<string, unknown>) };
      if (fixedKey !== key) delete copy[key];
      copy[fixedKey] = fixed;
    }
    return (copy ?? value) as T;
  }
  return value;
}
