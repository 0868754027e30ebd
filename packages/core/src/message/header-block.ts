/** One header field, unfolded, value undecoded (RFC 5322 §2.2). */
export interface HeaderField {
  name: string;
  value: string;
}

const MAX_HEADER_BYTES = 4 * 1024 * 1024;

/**
 * The header section of a raw message: everything before the first empty line (CRLF or bare
 * LF, both occur in real mail). A BOM or blank lines before the first field are skipped. The
 * bytes are read as UTF-8 (8-bit headers are almost always UTF-8 today; invalid bytes become
 * U+FFFD). At most 4 MiB are read, so a message that is all header costs bounded time.
 */
export function headerSection(raw: Buffer): string {
  let start = 0;
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) start = 3;
  while (start < raw.length && (raw[start] === 0x0d || raw[start] === 0x0a || raw[start] === 0x20 || raw[start] === 0x09)) start++;
  const limit = Math.min(raw.length, start + MAX_HEADER_BYTES);
  let end = limit;
  for (let i = start; i < limit; i++) {
    if (raw[i] !== 0x0a) continue;
    const next = raw[i + 1];
    if (next === 0x0a || (next === 0x0d && raw[i + 2] === 0x0a)) {
      end = i + 1;
      break;
    }
  }
  return raw.subarray(start, end).toString('utf8');
}

/**
 * Split a header section into fields: continuation lines (starting with space or tab) are
 * unfolded, lines without a colon (an mbox "From " line, garbage) are skipped.
 */
export function parseHeaderFields(section: string): HeaderField[] {
  const fields: HeaderField[] = [];
  let current: HeaderField | null = null;
  for (const rawLine of section.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.length === 0) continue;
    const first = line.charCodeAt(0);
    if ((first === 0x20 || first === 0x09) && current) {
      current.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[\x21-\x39\x3b-\x7e]+$/.test(line.slice(0, colon).trimEnd())) {
      current = null;
      continue;
    }
    current = { name: line.slice(0, colon).trimEnd(), value: line.slice(colon + 1).trim() };
    fields.push(current);
  }
  return fields;
}
