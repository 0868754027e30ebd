import pg from 'pg';
import { MailductError } from '../errors/index.js';
import { storableText } from '../text/index.js';
import { IdReserve } from './id-reserve.js';
import { outcomeParameters, SELECT_TICKET_ROWS, ticketRowOf, UPDATE_OUTCOMES } from './message-columns.js';
import { copyNew } from './message-copy.js';
import type {
  IncomingRaw,
  MessageStore,
  Outcome,
  ServerAction,
  StoredRef,
  TicketRow,
  Verdict,
} from './message-store.js';
import { outcomeColumns } from './outcome-columns.js';

const { DatabaseError } = pg;
const UNIQUE_VIOLATION = '23505';
const UNDEFINED_TABLE = '42P01';
/** The first COPY without a look-up, then up to three with one. */
const COPY_ATTEMPTS = 4;

/** Raw mail of tickets consumed, or of mail ignored, `$1` days ago (read through inbound_message_raw_held_idx). */
const EXPIRE_RAW = `UPDATE inbound_message SET raw = NULL, parsed = NULL WHERE id IN (
    SELECT id FROM inbound_message
    WHERE raw IS NOT NULL AND received_at < now() - make_interval(days => $1) AND (
      (status = 'dispatched' AND consumed_at < now() - make_interval(days => $1)) OR status = 'ignored')
    LIMIT $2)`;

/**
 * Rows of mail gone from the server whose ticket was consumed, or which was ignored, `$1` days ago:
 * the next `$2` by receipt after the cursor ($3, $4), so one expiry reads each old row once
 * however many it keeps (mail kept on the server). No index names them: one on
 * deleted_on_server_at or consumed_at would make the updates after the COPY no longer heap-only.
 */
const EXPIRE_ROWS = `WITH due AS (
    SELECT id, received_at FROM inbound_message
    WHERE received_at < now() - make_interval(days => $1) AND (received_at, id) > ($3::timestamp, $4::bigint)
      AND deleted_on_server_at IS NOT NULL
      AND ((status = 'dispatched' AND consumed_at < now() - make_interval(days => $1)) OR status = 'ignored')
    ORDER BY received_at, id LIMIT $2),
  gone AS (DELETE FROM inbound_message WHERE id IN (SELECT id FROM due))
  SELECT count(*)::int AS n, max(received_at)::text AS at, max(id) FILTER (WHERE received_at = (SELECT max(received_at) FROM due)) AS id
  FROM due`;

const SELECT_UNCONSUMED = `SELECT id FROM inbound_message
  WHERE status = 'dispatched' AND consumed_at IS NULL AND id > $1
    AND coalesce(enqueued_at, dispatched_at, received_at) < now() - make_interval(secs => $2)
  ORDER BY id LIMIT $3`;

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
    const rows = outcomes.map((o) => ({ id: o.id, outcome: outcomeColumns(o) }));
    await this.guard('record dispatch outcomes', () => this.pool.query(UPDATE_OUTCOMES, outcomeParameters(rows)));
  }

  async ticketRows(ids: readonly number[]): Promise<TicketRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.guard('read dispatched messages', () =>
      this.pool.query(SELECT_TICKET_ROWS, [idArray(ids)]),
    );
    return rows.map(ticketRowOf);
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

  async recordServerAction(ids: readonly number[], action: ServerAction): Promise<void> {
    if (ids.length === 0) return;
    const gone = action === 'deleted' || action === 'moved';
    await this.guard(`record messages ${action} on the server`, () =>
      this.pool.query(
        `UPDATE inbound_message SET server_action = $2${gone ? ', deleted_on_server_at = now()' : ''} WHERE id = ANY($1::bigint[])`,
        [idArray(ids), action],
      ),
    );
  }

  async getRaw(id: number): Promise<Buffer | null | undefined> {
    const { rows } = await this.guard('read raw mail', () =>
      this.pool.query<{ raw: Buffer | null }>('SELECT raw FROM inbound_message WHERE id = $1', [id]),
    );
    return rows.length === 0 ? undefined : rows[0]!.raw;
  }

  /**
   * Drop the raw bytes of mail kept long enough: dispatched and consumed more than `days` ago,
   * or ignored more than `days` ago. Quarantined mail is kept until it is reprocessed. Rows (with
   * headers and dispatch record) stay until expireRows.
   */
  async expireRaw(days: number, batch = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      const res = await this.guard('expire raw mail', () => this.pool.query(EXPIRE_RAW, [days, batch]));
      total += res.rowCount ?? 0;
      if ((res.rowCount ?? 0) < batch) return total;
    }
  }

  /**
   * Delete the rows of mail that is done with: gone from the server (deleted or moved after fetch)
   * and its ticket consumed, or ignored, more than `days` ago. A row whose message may still be on
   * the server (kept, marked seen, an action that failed) stays, since it is what recognises the
   * message at the next run; so do quarantined rows and tickets not consumed.
   */
  async expireRows(days: number, batch = 1000): Promise<number> {
    let total = 0;
    let cursor: [string, string] = ['-infinity', '0'];
    for (;;) {
      const { rows } = await this.guard('expire message rows', () =>
        this.pool.query<{ n: number; at: string | null; id: string | null }>(EXPIRE_ROWS, [days, batch, ...cursor]),
      );
      const { n, at, id } = rows[0]!;
      total += n;
      if (n < batch || at === null || id === null) return total;
      cursor = [at, id];
    }
  }

  /** Dispatched messages after `afterId` whose ticket was not seen consumed for `olderThanMs` (the outbox). */
  async unconsumedTickets(afterId: number, olderThanMs: number, batch: number): Promise<number[]> {
    const { rows } = await this.guard('read the outbox', () =>
      this.pool.query<{ id: string }>(SELECT_UNCONSUMED, [afterId, olderThanMs / 1000, batch]),
    );
    return rows.map((r) => Number(r.id));
  }

  /** Record that the ticket system completed these tickets (BullMQ completed events, or the sweep). */
  async markConsumed(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.guard('mark tickets consumed', () =>
      this.pool.query(
        'UPDATE inbound_message SET consumed_at = now() WHERE id = ANY($1::bigint[]) AND consumed_at IS NULL',
        [idArray(ids)],
      ),
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
