import pg from 'pg';
import { MailductError } from '../errors/index.js';
import type { HeaderSummary } from '../message/index.js';
import { storableText } from '../text/index.js';
import type {
  IncomingRaw,
  MessageStore,
  Outcome,
  StoredDispatch,
  StoredRef,
  TicketRow,
  Verdict,
} from './message-store.js';
import { copyDataMessages, type CopyValue } from './copy-binary.js';
import { copyIn } from './copy-in.js';
import { IdReserve } from './id-reserve.js';
import { outcomeColumns } from './outcome-columns.js';

const { DatabaseError } = pg;
const UNIQUE_VIOLATION = '23505';
const UNDEFINED_TABLE = '42P01';
/** The first COPY without a look-up, then up to three with one. */
const COPY_ATTEMPTS = 4;

/**
 * MessageStore on plain pg (Prisma costs 10× the CPU per 10 KiB row; docs/ARCHITECTURE.md, "The hot path"). A batch is
 * stored with one binary COPY that writes the raw bytes and the verdict together, under ids
 * reserved ahead (IdReserve), and looked up first only when some of it was stored before; outcomes decided later (reprocessing, rows
 * stored before a crash) with one UPDATE from unnest(). Every failure is STORAGE_UNAVAILABLE
 * (class storage: transient).
 */
export class PgMessageStore implements MessageStore {
  private readonly reserve = new IdReserve();

  constructor(private readonly pool: pg.Pool) {}

  /**
   * Open `connections` pooled connections and check that the table is there, before any mail
   * server is touched: an unreachable or unmigrated database fails here instead of after the
   * first download, and the first batches do not wait for connections to open.
   */
  async warm(connections: number): Promise<void> {
    // Asking for more than the pool holds would wait for one to be released, i.e. for ever.
    const n = Math.min(connections, this.pool.options.max ?? connections);
    await this.guard('open connections', async () => {
      const opened = await Promise.allSettled(Array.from({ length: n }, () => this.pool.connect()));
      const clients = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      try {
        for (const o of opened) if (o.status === 'rejected') throw o.reason;
        await Promise.all(clients.map((c) => c.query('SELECT 1 FROM inbound_message LIMIT 0')));
      } catch (err) {
        if ((err as { code?: string }).code === UNDEFINED_TABLE)
          throw new Error('the database is not migrated (no table inbound_message): run `mailduct migrate`', {
            cause: err,
          });
        throw err;
      } finally {
        for (const c of clients) c.release();
      }
    });
  }

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
      if (items.length === 1)
        return this.copyRetrying(accountId, [{ ...items[0]!, verdict: refusedVerdict(err as pg.DatabaseError) }]);
      const refs: StoredRef[] = [];
      for (const item of items) refs.push(...(await this.isolatingRefused(accountId, [item])));
      return refs;
    }
  }

  /**
   * A batch is first copied as if all of it were new: with ids reserved ahead, that is the COPY
   * alone. Bytes stored before (a run after a crash, the same mail delivered twice) make it fail
   * on the unique key, storing nothing; the batch is then looked up and only the rest copied.
   */
  private async copyRetrying(accountId: number, items: readonly IncomingRaw[]): Promise<StoredRef[]> {
    let lookUp = false;
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        return await copyNew(client, accountId, items, this.reserve, lookUp);
      } catch (err) {
        // Some bytes were there already, or another writer stored them between the look-up and
        // the COPY (only possible when this account's lock was lost): look (again).
        if ((err as { code?: string }).code === UNIQUE_VIOLATION && attempt < COPY_ATTEMPTS) {
          lookUp = true;
          continue;
        }
        if (!(err instanceof DatabaseError)) broken = err as Error;
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  async recordOutcomes(outcomes: readonly Outcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const cols = {
      id: [] as number[],
      status: [] as string[],
      queue: [] as (number | null)[],
      dispatch: [] as (string | null)[],
      attributes: [] as (string | null)[],
      headers: [] as (string | null)[],
      mid: [] as (string | null)[],
      subject: [] as (string | null)[],
      from: [] as (string | null)[],
      error: [] as (string | null)[],
    };
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
        [
          cols.id,
          cols.status,
          cols.queue,
          cols.dispatch,
          cols.attributes,
          cols.headers,
          cols.mid,
          cols.subject,
          cols.from,
          cols.error,
        ],
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
        [idArray(ids)],
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
    await this.guard('mark messages enqueued', () =>
      this.pool.query(
        'UPDATE inbound_message SET enqueued_at = now() WHERE id = ANY($1::bigint[]) AND enqueued_at IS NULL',
        [idArray(ids)],
      ),
    );
  }

  async markDeletedOnServer(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.guard('mark messages deleted on the server', () =>
      this.pool.query('UPDATE inbound_message SET deleted_on_server_at = now() WHERE id = ANY($1::bigint[])', [
        idArray(ids),
      ]),
    );
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const reason = (err as { code?: string; message?: string }).code ?? (err as Error).message;
      throw new MailductError('STORAGE_UNAVAILABLE', `PostgreSQL: cannot ${what} (${String(reason).slice(0, 200)})`, {
        cause: err,
      });
    }
  }
}

/** Columns written by the COPY, the raw bytes last. */
const COPY_COLUMNS =
  'id, account_id, sha256, delivery, size, remote_id, status, queue_id, dispatch, attributes, headers, message_id_header, subject, from_address, error, received_at, dispatched_at, raw';

interface StoredRow {
  id: string;
  sha256: string;
  remote_id: string | null;
  delivery: number;
  deleted: boolean;
  status: StoredRef['status'];
  enqueued: boolean;
  received_at: Date;
}

/**
 * Store the messages not stored before with a binary COPY; the raw Buffers go to the socket as
 * they are. A multi-row INSERT had pg build one Bind message holding every mail of the batch,
 * growing it copy by copy (at 1 MiB mails, more CPU than PostgreSQL's own work), and PostgreSQL
 * parses and plans a VALUES list of 15 parameters per row.
 *
 * A message is its bytes and where the server keeps it (remote id: IMAP UID, POP3 UIDL). Stored
 * before means: a row with the same bytes and the same remote id (a re-download after a crash, or
 * by a fetcher that lost its lock), or, for a POP3 message known only by its position (`#n`), a
 * row with the same bytes not yet deleted on the server. The same bytes under another id are
 * another delivery (OTOBO makes a ticket of each): `delivery` numbers them, so the unique key
 * (account, sha256, delivery) holds. Without `lookUp` everything is copied as new, numbered from 0
 * within the batch; the unique key refuses the COPY when some of it was stored before.
 */
async function copyNew(
  client: pg.PoolClient,
  accountId: number,
  items: readonly IncomingRaw[],
  reserve: IdReserve,
  lookUp: boolean,
): Promise<StoredRef[]> {
  const distinct = new Map<string, IncomingRaw>();
  for (const m of items) if (!distinct.has(identityOf(m))) distinct.set(identityOf(m), m);
  const before = lookUp
    ? await storedBefore(client, accountId, [...new Set(items.map((m) => m.sha256))])
    : new Map<string, StoredRow[]>();
  const refs = new Map<string, StoredRef>();
  const fresh: IncomingRaw[] = [];
  for (const [key, m] of distinct) {
    const row = sameMessage(before.get(m.sha256) ?? [], m);
    if (row)
      refs.set(key, {
        id: Number(row.id),
        sha256: m.sha256,
        isNew: false,
        status: row.status,
        enqueued: row.enqueued,
        receivedAt: row.received_at,
      });
    else fresh.push(m);
  }
  if (fresh.length > 0) {
    const { ids, now, nowUs } = await reserve.take(client, fresh.length);
    const next = new Map([...before].map(([sha, rows]) => [sha, Math.max(...rows.map((r) => r.delivery)) + 1]));
    const tuples = fresh.map((m, i) => {
      const delivery = next.get(m.sha256) ?? 0;
      next.set(m.sha256, delivery + 1);
      refs.set(identityOf(m), {
        id: Number(ids[i]),
        sha256: m.sha256,
        isNew: true,
        status: m.verdict.status,
        enqueued: false,
        receivedAt: now,
      });
      return tupleOf(ids[i]!, accountId, m, delivery, nowUs);
    });
    await copyIn(client, `COPY inbound_message (${COPY_COLUMNS}) FROM STDIN (FORMAT binary)`, copyDataMessages(tuples));
  }
  return items.map((m) => refs.get(identityOf(m))!);
}

/** Bytes and remote id, as stored (the id cut to the column, a NUL made storable). */
function identityOf(m: IncomingRaw): string {
  return `${m.sha256}\n${storedRemoteId(m.remoteId)}`;
}

function storedRemoteId(id: string): string {
  return storableText(id.slice(0, 200)); // a hostile POP3 server's UIDL may hold a NUL
}

/** The stored row that is this message, if any (see copyNew). */
function sameMessage(rows: readonly StoredRow[], m: IncomingRaw): StoredRow | undefined {
  const id = storedRemoteId(m.remoteId);
  return rows.find((r) => r.remote_id === id) ?? (id.startsWith('#') ? rows.find((r) => !r.deleted) : undefined);
}

/** The rows of this account holding some of these bytes, by sha256. */
async function storedBefore(
  client: pg.PoolClient,
  accountId: number,
  shas: string[],
): Promise<Map<string, StoredRow[]>> {
  const { rows } = await client.query<StoredRow>(
    `SELECT id, sha256, remote_id, delivery, deleted_on_server_at IS NOT NULL AS deleted, status::text AS status, enqueued_at IS NOT NULL AS enqueued, received_at
     FROM inbound_message WHERE account_id = $1 AND sha256 = ANY($2::text[]) ORDER BY id`,
    [accountId, shas],
  );
  const out = new Map<string, StoredRow[]>();
  for (const r of rows) {
    const sha = r.sha256.trim();
    const list = out.get(sha);
    if (list) list.push(r);
    else out.set(sha, [r]);
  }
  return out;
}

function tupleOf(id: bigint, accountId: number, m: IncomingRaw, delivery: number, now: bigint): CopyValue[] {
  const c = outcomeColumns(m.verdict);
  const text = (v: string | null): CopyValue => (v === null ? null : { text: v });
  const jsonb = (v: string | null): CopyValue => (v === null ? null : { jsonb: v });
  return [
    { int8: id },
    { int4: accountId },
    { text: m.sha256 },
    { int2: delivery },
    { int4: m.size },
    { text: storedRemoteId(m.remoteId) },
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

/** Ids as a PostgreSQL array literal: pg's generic array encoding costs microseconds per element. */
function idArray(ids: readonly number[]): string {
  return `{${ids.join(',')}}`;
}

function isDataException(err: unknown): boolean {
  return err instanceof DatabaseError && typeof err.code === 'string' && err.code.startsWith('22');
}

function refusedVerdict(err: pg.DatabaseError): Verdict {
  return {
    status: 'quarantined',
    error: storableText(`PostgreSQL refused what was read from the headers (${err.code}: ${err.message})`).slice(
      0,
      2000,
    ),
    summary: null,
  };
}
