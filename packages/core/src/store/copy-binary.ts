/**
 * PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary
 * Format"), framed as CopyData protocol messages. A bytea value is passed through as the caller's
 * Buffer, never copied: a 1 MiB mail goes from the IMAP parser to the socket as it is.
 */

/** One field of a tuple, in the binary representation of its column type. */
export type CopyValue =
  | null
  | { int2: number }
  | { int4: number }
  | { int8: bigint }
  /** text, varchar, char and enum labels: UTF-8 bytes. */
  | { text: string }
  /** jsonb: version 1, then the JSON text. */
  | { jsonb: string }
  /** timestamp (without time zone): microseconds since 2000-01-01 00:00. */
  | { timestamp: bigint }
  | { bytea: Buffer };

/** "PGCOPY\n\377\r\n\0", flags 0, header extension length 0. */
const FILE_HEADER = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/** A field count of -1 ends the data. */
const FILE_TRAILER = Buffer.from([0xff, 0xff]);
const COPY_DATA = 0x64; // 'd'
const JSONB_VERSION = 1;

/**
 * The CopyData messages of a whole binary COPY: the file header, one message per tuple and the
 * trailer. Small fields of a tuple are packed into one buffer; each bytea value follows as its own
 * buffer, so the result is meant for one corked socket write.
 */
export function copyDataMessages(tuples: readonly (readonly CopyValue[])[]): Buffer[] {
  const out: Buffer[] = frame([FILE_HEADER]);
  for (const tuple of tuples) out.push(...frame(encodeTuple(tuple)));
  out.push(...frame([FILE_TRAILER]));
  return out;
}

/** The tuple as buffers: packed small fields, bytea values by reference. */
export function encodeTuple(tuple: readonly CopyValue[]): Buffer[] {
  const parts: Buffer[] = [];
  let packed = Buffer.allocUnsafe(packedLength(tuple));
  let at = packed.writeInt16BE(tuple.length, 0);
  for (const value of tuple) {
    if (value === null) {
      at = packed.writeInt32BE(-1, at);
    } else if ('bytea' in value) {
      at = packed.writeInt32BE(value.bytea.length, at);
      parts.push(packed.subarray(0, at), value.bytea);
      packed = packed.subarray(at);
      at = 0;
    } else if ('int2' in value) {
      at = packed.writeInt32BE(2, at);
      at = packed.writeInt16BE(value.int2, at);
    } else if ('int4' in value) {
      at = packed.writeInt32BE(4, at);
      at = packed.writeInt32BE(value.int4, at);
    } else if ('int8' in value || 'timestamp' in value) {
      at = packed.writeInt32BE(8, at);
      at = packed.writeBigInt64BE('int8' in value ? value.int8 : value.timestamp, at);
    } else if ('text' in value) {
      const n = packed.write(value.text, at + 4, 'utf8');
      at = packed.writeInt32BE(n, at) + n;
    } else {
      const n = packed.write(value.jsonb, at + 5, 'utf8');
      at = packed.writeInt32BE(n + 1, at);
      at = packed.writeUInt8(JSONB_VERSION, at) + n;
    }
  }
  if (at > 0) parts.push(packed.subarray(0, at));
  return parts;
}

/** Bytes of the packed part: the field count, every length word and every value but bytea. */
function packedLength(tuple: readonly CopyValue[]): number {
  let n = 2;
  for (const value of tuple) {
    n += 4;
    if (value === null || 'bytea' in value) continue;
    if ('int2' in value) n += 2;
    else if ('int4' in value) n += 4;
    else if ('int8' in value || 'timestamp' in value) n += 8;
    else if ('text' in value) n += Buffer.byteLength(value.text, 'utf8');
    else n += 1 + Buffer.byteLength(value.jsonb, 'utf8');
  }
  return n;
}

/** One CopyData message around `parts`: a 5-byte header, then the parts themselves. */
function frame(parts: Buffer[]): Buffer[] {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const header = Buffer.allocUnsafe(5);
  header[0] = COPY_DATA;
  header.writeInt32BE(length + 4, 1);
  return [header, ...parts];
}
