/** One header field, unfolded, value undecoded (RFC 5322 §2.2). */
export interface HeaderField {
  name: string;
  value: string;
}

const MAX_HEADER_BYTES = 4 * 1024 * 1024;
/**
 * Characters of one field value that parsing looks at; continuation lines beyond are dropped
 * (the raw mail keeps them). 256 KiB hold some 10,000 addresses, and bound what any one value
 * costs the address, date and encoded-word parsers.
 */
const MAX_FIELD_VALUE = 256 * 1024;

/**
 * The header section of a raw message: everything before the first empty line (CRLF or bare
 * LF, both occur in real mail). A BOM or blank lines before the first field are skipped. The
 * bytes are read as UTF-8 (8-bit headers are almost always UTF-8 today; invalid bytes become
 * U+FFFD). At most 4 MiB are read, so a message that is all header costs bounded time.
 */
export function headerSection(raw: Buffer): string {
  const { start, end } = headerBounds(raw);
  return raw.subarray(start, end).toString('utf8');
}

/**
 * Where the header section of a raw message lies (see headerSection): `end` is just after the
 * last header line, where the empty line and then the body follow; `complete` is false when no
 * empty line came within the 4 MiB read (then `end` is where reading stopped).
 */
export function headerBounds(raw: Buffer): { start: number; end: number; complete: boolean } {
  let start = 0;
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) start = 3;
  while (
    start < raw.length &&
    (raw[start] === 0x0d || raw[start] === 0x0a || raw[start] === 0x20 || raw[start] === 0x09)
  )
    start++;
  const limit = Math.min(raw.length, start + MAX_HEADER_BYTES);
  for (let i = start; i < limit; i++) {
    if (raw[i] !== 0x0a) continue;
    const next = raw[i + 1];
    if (next === 0x0a || (next === 0x0d && raw[i + 2] === 0x0a)) return { start, end: i + 1, complete: true };
  }
  return { start, end: limit, complete: false };
}

/**
 * Split a header section into fields: continuation lines (starting with space or tab) are
 * unfolded, lines without a colon (an mbox "From " line, garbage) are skipped. Linear in the
 * section: a value's pieces are joined once, each value at most MAX_FIELD_VALUE characters.
 */
export function parseHeaderFields(section: string): HeaderField[] {
  const fields: HeaderField[] = [];
  let current: { name: string; parts: string[]; length: number } | null = null;
  const close = () => {
    if (current) fields.push({ name: current.name, value: current.parts.join(' ').slice(0, MAX_FIELD_VALUE) });
  };
  for (let start = 0; start < section.length;) {
    const nl = section.indexOf('\n', start);
    const end = nl === -1 ? section.length : nl;
    const line = section.slice(start, end > start && section.charCodeAt(end - 1) === 0x0d ? end - 1 : end);
    start = end + 1;
    if (line.length === 0) continue;
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      if (current && current.length < MAX_FIELD_VALUE) {
        const piece = line.trim();
        current.parts.push(piece);
        current.length += piece.length + 1;
      }
      continue;
    }
    close();
    current = null;
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[\x21-\x39\x3b-\x7e]+$/.test(line.slice(0, colon).trimEnd())) continue;
    const value = line.slice(colon + 1, colon + 1 + MAX_FIELD_VALUE).trim();
    current = { name: line.slice(0, colon).trimEnd(), parts: [value], length: value.length };
  }
  close();
  return fields;
}
