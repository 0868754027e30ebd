import type { HeaderSummary } from '../headers/index.js';
import { storableText } from '../text/index.js';
import type { CopyValue } from './copy-binary.js';
import type { IncomingRaw, StoredDispatch, TicketRow } from './message-store.js';
import { outcomeColumns, type OutcomeColumns } from './outcome-columns.js';

/**
 * The columns of `inbound_message` the fetch path writes, in one table: the COPY of new rows, the
 * UPDATE of outcomes decided later and the ticket read all derive from it, so they cannot drift.
 * (The schema itself is prisma/schema.prisma; docs/ARCHITECTURE.md, "Storage".)
 */

/** A new row as the COPY writes it. */
interface NewMessageRow {
  id: bigint;
  accountId: number;
  message: IncomingRaw;
  delivery: number;
  /** Microseconds since 2000-01-01 (the COPY's timestamp encoding), for received_at and dispatched_at. */
  now: bigint;
  outcome: OutcomeColumns;
}

const text = (v: string | null): CopyValue => (v === null ? null : { text: v });
const jsonb = (v: string | null): CopyValue => (v === null ? null : { jsonb: v });
/** 2000-01-01T00:00:00Z, the epoch of PostgreSQL's binary timestamps (stored as UTC, like Prisma's). */
const PG_EPOCH_MS = 946_684_800_000;
const timestampOf = (d: Date | null): CopyValue =>
  d === null || Number.isNaN(d.getTime()) ? null : { timestamp: BigInt(d.getTime() - PG_EPOCH_MS) * 1000n };

/** A column that records a verdict: written by the COPY and by the outcome UPDATE alike. */
interface OutcomeColumn {
  name: string;
  /** The parameter's array type in the UPDATE's unnest(), and the cast to the column type. */
  param: 'text' | 'int';
  cast?: string;
  of(o: OutcomeColumns): string | number | null;
  copy(o: OutcomeColumns): CopyValue;
}

const OUTCOME_COLUMNS: readonly OutcomeColumn[] = [
  { name: 'status', param: 'text', cast: '"MessageStatus"', of: (o) => o.status, copy: (o) => ({ text: o.status }) },
  {
    name: 'queue_id',
    param: 'int',
    of: (o) => o.queueId,
    copy: (o) => (o.queueId === null ? null : { int4: o.queueId }),
  },
  { name: 'dispatch', param: 'text', cast: 'jsonb', of: (o) => o.dispatch, copy: (o) => jsonb(o.dispatch) },
  { name: 'attributes', param: 'text', cast: 'jsonb', of: (o) => o.attributes, copy: (o) => jsonb(o.attributes) },
  { name: 'headers', param: 'text', cast: 'jsonb', of: (o) => o.headers, copy: (o) => jsonb(o.headers) },
  { name: 'message_id_header', param: 'text', of: (o) => o.messageId, copy: (o) => text(o.messageId) },
  { name: 'subject', param: 'text', of: (o) => o.subject, copy: (o) => text(o.subject) },
  { name: 'from_address', param: 'text', of: (o) => o.from, copy: (o) => text(o.from) },
  { name: 'error', param: 'text', of: (o) => o.error, copy: (o) => text(o.error) },
];

/** Every column the COPY writes, in order; the raw bytes last (they go to the socket as they are). */
const COPY_TABLE: readonly { name: string; value(r: NewMessageRow): CopyValue }[] = [
  { name: 'id', value: (r) => ({ int8: r.id }) },
  { name: 'account_id', value: (r) => ({ int4: r.accountId }) },
  { name: 'sha256', value: (r) => ({ text: r.message.sha256 }) },
  { name: 'delivery', value: (r) => ({ int2: r.delivery }) },
  { name: 'size', value: (r) => ({ int4: r.message.size }) },
  { name: 'remote_id', value: (r) => ({ text: storedRemoteId(r.message.remoteId) }) },
  { name: 'folder', value: (r) => text(r.message.origin.folder) },
  {
    name: 'uid_validity',
    value: (r) => (r.message.origin.uidValidity === null ? null : { int8: BigInt(r.message.origin.uidValidity) }),
  },
  { name: 'internal_date', value: (r) => timestampOf(r.message.origin.internalDate) },
  { name: 'source', value: (r) => text(r.message.origin.source) },
  ...OUTCOME_COLUMNS.map((c) => ({ name: c.name, value: (r: NewMessageRow) => c.copy(r.outcome) })),
  { name: 'received_at', value: (r) => ({ timestamp: r.now }) },
  { name: 'dispatched_at', value: (r) => ({ timestamp: r.now }) },
  { name: 'raw', value: (r) => ({ bytea: r.message.raw }) },
];

/** The COPY statement of new rows (binary format). */
export const COPY_NEW_ROWS = `COPY inbound_message (${COPY_TABLE.map((c) => c.name).join(', ')}) FROM STDIN (FORMAT binary)`;

/** One new row as a COPY tuple. */
export function copyTuple(id: bigint, accountId: number, message: IncomingRaw, delivery: number, now: bigint) {
  const row: NewMessageRow = { id, accountId, message, delivery, now, outcome: outcomeColumns(message.verdict) };
  return COPY_TABLE.map((c) => c.value(row));
}

/** The UPDATE that records outcomes decided after storing: one statement for many rows, via unnest(). */
export const UPDATE_OUTCOMES = (() => {
  const params = ['$1::bigint[]', ...OUTCOME_COLUMNS.map((c, i) => `$${i + 2}::${c.param}[]`)].join(', ');
  const names = ['id', ...OUTCOME_COLUMNS.map((c) => c.name)].join(', ');
  const set = OUTCOME_COLUMNS.map((c) => `${c.name} = v.${c.name}${c.cast ? `::${c.cast}` : ''}`).join(', ');
  return `UPDATE inbound_message m SET ${set}, dispatched_at = now() FROM unnest(${params}) AS v(${names}) WHERE m.id = v.id`;
})();

/** The UPDATE's parameters: the ids, then one array per outcome column. */
export function outcomeParameters(rows: readonly { id: number; outcome: OutcomeColumns }[]): unknown[] {
  return [rows.map((r) => r.id), ...OUTCOME_COLUMNS.map((c) => rows.map((r) => c.of(r.outcome)))];
}

/** The remote id as stored: cut to the column, a NUL made storable (a hostile POP3 server's UIDL may hold one). */
export function storedRemoteId(id: string): string {
  return storableText(id.slice(0, 200));
}

/** What a ticket job needs of a dispatched row, and how it is read. */
export const SELECT_TICKET_ROWS = `SELECT m.id, m.account_id, m.queue_id, q.name AS queue_name, m.sha256, m.size,
    m.received_at, m.dispatch, m.attributes, m.headers
  FROM inbound_message m JOIN queue q ON q.id = m.queue_id
  WHERE m.id = ANY($1::bigint[]) AND m.status = 'dispatched' ORDER BY m.id`;

export function ticketRowOf(r: Record<string, unknown>): TicketRow {
  return {
    id: Number(r.id),
    accountId: r.account_id as number,
    queueId: r.queue_id as number,
    queueName: r.queue_name as string,
    sha256: r.sha256 as string,
    size: r.size as number,
    receivedAt: r.received_at as Date,
    dispatch: r.dispatch as StoredDispatch,
    attributes: (r.attributes ?? {}) as Record<string, string>,
    headers: r.headers as HeaderSummary,
  };
}
