import pg from 'pg';
import { MailductError } from '../errors/index.js';
import type { HeaderSummary } from '../message/index.js';
import { storableText } from '../text/index.js';
import type { IncomingRaw, MessageStore, Outcome, StoredDispatch, StoredRef, TicketRow, Verdict } from './message-store.js';
import { copyDataMessages, type CopyValue } from './copy-binary.js';
import { copyIn } from './copy-in.js';
import { outcomeColumns } from './outcome-columns.js';

const { DatabaseError } = pg;
const UNIQUE_VIOLATION = '23505';
const COPY_ATTEMPTS = 3;

/**
 * MessageStore on plain pg (Prisma costs 10× the CPU per 10 KiB row; COST-FLOOR.md). A batch is
 * stored with one look-up (bytes stored before, ids for the new rows) and one binary COPY that
 * writes the raw bytes and the verdict together; outcomes decided later (reprocessing, rows
 * stored before a crash) with one UPDATE from unnest(). Every failure is STORAGE_UNAVAILABLE
 * (retryable).
 */
export class PgMessageStore implements MessageStore {
  constructor(private readonly pool: pg.Pool) {}

  async put(accountId: number, items: readonly IncomingRaw[]): Promise<StoredRef[]> {
    if (items.length === 0) return [];
    return this.guard('store messages', () => this.isolatingRefused(accountId, items));
  }

  /**
   * A batch PostgreSQL refuses as data (SQLSTATE class 22: a value it cannot hold) is stored one
   * message at a time, and a message refused on its own is stored quarantined with the reason
   * and without the refused verdict: its raw bytes are kept, and one bad mail never blocks its
   * account's later mail. Anything else (a lost connection, a missing account) fails the batch.
   */
  private async isolatingRefused(accountId: number, items: readonly IncomingRaw[]): Promise<StoredRef[]> {
    try {
      return await this.copyRetrying(accountId, items);
    } catch (err) {
      if (!isDataException(err)) throw err;
      if (items.length === 1) return this.copyRetrying(accountId, [{ ...items[0]!, verdict: refusedVerdict(err as pg.DatabaseError) }]);
      const refs: StoredRef[] = [];
      for (const item of items) refs.push(...(await this.isolatingRefused(accountId, [item])));
      return refs;
    }
  }

  private async copyRetrying(accountId: number, items: readonly IncomingRaw[]): Promise<StoredRef[]> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        return await copyNew(client, accountId, items);
      } catch (err) {
        // Another writer stored some of these bytes between the look-up and the COPY (only
        // possible when this account's lock was lost): the COPY stored nothing; look again.
        if ((err as { code?: string }).code === UNIQUE_VIOLATION && attempt < COPY_ATTEMPTS) continue;
        if (!(err instanceof DatabaseError)) broken = err as Error;
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  async recordOutcomes(outcomes: readonly Outcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const cols = { id: [] as number[], status: [] as string[], queue: [] as (number | null)[], dispatch: [] as (string | null)[], attributes: [] as (string | null)[], headers: [] as (string | null)[], mid: [] as (string | null)[], subject: [] as (string | null)[], from: [] as (string | null)[], error: [] as (string | null)[] };
    for (const o of outcomes) {
      const c = outcomeColumns(o);
      cols.id.push(o.id);
      cols.status.push(c.status);
      cols.queue.push(c.queueId);
      cols.dispatch.push(c.dispatch);
      cols.attributes.push(c.attributes);
      cols.headers.push(c.headers);
      cols.mid.push(c.messageId);
      cols.subject.push(c.subject);
      cols.from.push(c.from);
      cols.error.push(c.error);
    }
    await this.guard('record dispatch outcomes', () =>
      this.pool.query(
        `UPDATE inbound_message m SET status = v.status::"MessageStatus", queue_id = v.queue_id, dispatch = v.dispatch::jsonb,
           attributes = v.attributes::jsonb, headers = v.headers::jsonb, message_id_header = v.mid, subject = v.subject,
           from_address = v.from_address, error = v.error, dispatched_at = now()
         FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
           AS v(id, status, queue_id, dispatch, attributes, headers, mid, subject, from_address, error)
         WHERE m.id = v.id`,
        [cols.id, cols.status, cols.queue, cols.dispatch, cols.attributes, cols.headers, cols.mid, cols.subject, cols.from, cols.error],
      ),
    );
  }

  async ticketRows(ids: readonly number[]): Promise<TicketRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.guard('read dispatched messages', () =>
      this.pool.query(
        `SELECT m.id, m.account_id, m.queue_id, q.name AS queue_name, m.sha256, m.size, m.received_at, m.dispatch, m.attributes, m.headers
         FROM inbound_message m JOIN queue q ON q.id = m.queue_id
         WHERE m.id = ANY($1::bigint[]) AND m.status = 'dispatched' ORDER BY m.id`,
        [ids],
      ),
    );
    return rows.map((r) => ({
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
    }));
  }

  async markEnqueued(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.guard('mark messages enqueued', () => this.pool.query('UPDATE inbound_message SET enqueued_at = now() WHERE id = ANY($1::bigint[]) AND enqueued_at IS NULL', [ids]));
  }

  async markDeletedOnServer(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.guard('mark messages deleted on the server', () => this.pool.query('UPDATE inbound_message SET deleted_on_server_at = now() WHERE id = ANY($1::bigint[])', [ids]));
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const reason = (err as { code?: string; message?: string }).code ?? (err as Error).message;
      throw new MailductError('STORAGE_UNAVAILABLE', `PostgreSQL: cannot ${what} (${String(reason).slice(0, 200)})`, { cause: err });
    }
  }
}

/** Columns written by the COPY, the raw bytes last. */
const COPY_COLUMNS = 'id, account_id, sha256, size, remote_id, status, queue_id, dispatch, attributes, headers, message_id_header, subject, from_address, error, received_at, dispatched_at, raw';

interface LookUp {
  now: Date;
  now_us: string;
  ids: string[];
  e_id: string[] | null;
  e_sha: string[] | null;
  e_status: StoredRef['status'][] | null;
  e_enqueued: boolean[] | null;
  e_received: Date[] | null;
}

/**
 * Store the bytes not stored before (by sha256) with a binary COPY; the raw Buffers go to the
 * socket as they are. A multi-row INSERT had pg build one Bind message holding every mail of the
 * batch, growing it copy by copy (at 1 MiB mails, more CPU than PostgreSQL's own work), and
 * PostgreSQL parses and plans a VALUES list of 15 parameters per row.
 */
async function copyNew(client: pg.PoolClient, accountId: number, items: readonly IncomingRaw[]): Promise<StoredRef[]> {
  const first = new Map<string, IncomingRaw>();
  for (const m of items) if (!first.has(m.sha256)) first.set(m.sha256, m);
  const shas = [...first.keys()];
  const { rows } = await client.query<LookUp>(
    `SELECT now()::timestamp(3) AS now,
       ((extract(epoch FROM now()::timestamp(3)) - 946684800) * 1000000)::bigint AS now_us,
       ARRAY(SELECT nextval('inbound_message_id_seq') FROM generate_series(1, $3::int - e.n)) AS ids,
       e.e_id, e.e_sha, e.e_status, e.e_enqueued, e.e_received
     FROM (
       SELECT count(*)::int AS n, array_agg(id ORDER BY id) AS e_id, array_agg(sha256 ORDER BY id) AS e_sha,
         array_agg(status::text ORDER BY id) AS e_status, array_agg(enqueued_at IS NOT NULL ORDER BY id) AS e_enqueued,
         array_agg(received_at ORDER BY id) AS e_received
       FROM inbound_message WHERE account_id = $1 AND sha256 = ANY($2::text[])) e`,
    [accountId, shas, shas.length],
  );
  const found = rows[0]!;
  const refs = new Map<string, StoredRef>();
  (found.e_id ?? []).forEach((id, i) => {
    const sha256 = found.e_sha![i]!.trim();
    refs.set(sha256, { id: Number(id), sha256, isNew: false, status: found.e_status![i]!, enqueued: found.e_enqueued![i]!, receivedAt: found.e_received![i]! });
  });
  const fresh = shas.filter((sha) => !refs.has(sha));
  if (fresh.length !== found.ids.length) throw new Error(`allocated ${found.ids.length} ids for ${fresh.length} new messages`);
  const now = BigInt(found.now_us);
  const tuples = fresh.map((sha, i) => {
    const m = first.get(sha)!;
    refs.set(sha, { id: Number(found.ids[i]), sha256: sha, isNew: true, status: m.verdict.status, enqueued: false, receivedAt: found.now });
    return tupleOf(BigInt(found.ids[i]!), accountId, m, now);
  });
  if (tuples.length > 0) await copyIn(client, `COPY inbound_message (${COPY_COLUMNS}) FROM STDIN (FORMAT binary)`, copyDataMessages(tuples));
  return items.map((m) => refs.get(m.sha256)!);
}

function tupleOf(id: bigint, accountId: number, m: IncomingRaw, now: bigint): CopyValue[] {
  const c = outcomeColumns(m.verdict);
  const text = (v: string | null): CopyValue => (v === null ? null : { text: v });
  const jsonb = (v: string | null): CopyValue => (v === null ? null : { jsonb: v });
  return [
    { int8: id },
    { int4: accountId },
    { text: m.sha256 },
    { int4: m.size },
    { text: storableText(m.remoteId.slice(0, 200)) }, // a hostile POP3 server's UIDL may hold a NUL
    { text: c.status },
    c.queueId === null ? null : { int4: c.queueId },
    jsonb(c.dispatch),
    jsonb(c.attributes),
    jsonb(c.headers),
    text(c.messageId),
    text(c.subject),
    text(c.from),
    text(c.error),
    { timestamp: now },
    { timestamp: now },
    { bytea: m.raw },
  ];
}

function isDataException(err: unknown): boolean {
  return err instanceof DatabaseError && typeof err.code === 'string' && err.code.startsWith('22');
}

function refusedVerdict(err: pg.DatabaseError): Verdict {
  return { status: 'quarantined', error: storableText(`PostgreSQL refused what was read from the headers (${err.code}: ${err.message})`).slice(0, 2000), summary: null };
}
