/* eslint-disable no-control-regex -- these patterns exist to find control characters */
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
 * JSON.stringify writes NUL and unpaired surrogates as `\u` escapes (and a backslash as `\\`):
 * JSON text without such an escape holds no string that needs a change.
 */
const MAYBE_UNSTORABLE_JSON = /\\u(?:0000|d[89a-f])/i;

/**
 * JSON-like data (plain objects, arrays, strings, numbers, booleans, null) with every string,
 * keys included, made storable by `storableText`. Returns the same value when nothing had to change;
 * that common case is told by one scan of the value's JSON text instead of a walk.
 */
export function storableStrings<T>(value: T): T {
  return MAYBE_UNSTORABLE_JSON.test(JSON.stringify(value) ?? '') ? fixStrings(value) : value;
}

function fixStrings<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((item, i) => {
      const fixed = fixStrings(item);
      if (fixed !== item) (copy ??= [...value])[i] = fixed;
    });
    return (copy ?? value) as T;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    let copy: Record<string, unknown> | null = null;
    for (const [key, item] of Object.entries(value)) {
      const fixedKey = storableText(key);
      const fixed = fixStrings(item);
      if (fixed === item && fixedKey === key) continue;
      copy ??= { ...(value as Record<string, unknown>) };
      if (fixedKey !== key) delete copy[key];
      copy[fixedKey] = fixed;
    }
    return (copy ?? value) as T;
  }
  return value;
}
