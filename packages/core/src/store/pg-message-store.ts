import type pg from 'pg';
import { MailductError } from '../errors/index.js';
import type { HeaderSummary } from '../message/index.js';
import type { IncomingRaw, MessageStore, Outcome, StoredDispatch, StoredRef, TicketRow } from './message-store.js';
import { outcomeColumns } from './outcome-columns.js';

/**
 * MessageStore on plain pg: one multi-row INSERT … ON CONFLICT DO NOTHING per batch that writes the
 * raw bytes and the verdict together (Prisma costs 10× the CPU per 10 KiB row; COST-FLOOR.md), and
 * one UPDATE from unnest() for outcomes decided later (reprocessing, rows stored before a crash).
 * Every failure is STORAGE_UNAVAILABLE (retryable).
 */
export class PgMessageStore implements MessageStore {
  constructor(private readonly pool: pg.Pool) {}

  async put(accountId: number, items: readonly IncomingRaw[]): Promise<StoredRef[]> {
    if (items.length === 0) return [];
    const values: unknown[] = [accountId];
    const rows = items.map((m) => {
      const o = values.length + 1;
      const c = outcomeColumns(m.verdict);
      values.push(m.sha256, m.size, m.raw, m.remoteId.slice(0, 200), c.status, c.queueId, c.dispatch, c.attributes, c.headers, c.messageId, c.subject, c.from, c.error);
      return `($1, $${o}, $${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}::"MessageStatus", $${o + 5}::int, $${o + 6}::jsonb, $${o + 7}::jsonb, $${o + 8}::jsonb, $${o + 9}, $${o + 10}, $${o + 11}, $${o + 12}, now())`;
    });
    return this.guard('store messages', async () => {
      const inserted = await this.pool.query<{ id: string; sha256: string; received_at: Date; status: StoredRef['status'] }>(
        `INSERT INTO inbound_message (account_id, sha256, size, raw, remote_id, status, queue_id, dispatch, attributes, headers,
           message_id_header, subject, from_address, error, dispatched_at) VALUES ${rows.join(',')}
         ON CONFLICT (account_id, sha256) DO NOTHING RETURNING id, sha256, received_at, status`,
        values,
      );
      const refs = new Map<string, StoredRef>(inserted.rows.map((r) => [r.sha256, { id: Number(r.id), sha256: r.sha256, isNew: true, status: r.status, enqueued: false, receivedAt: r.received_at }]));
      const missing = items.filter((m) => !refs.has(m.sha256)).map((m) => m.sha256);
      if (missing.length > 0) {
        const existing = await this.pool.query<{ id: string; sha256: string; status: StoredRef['status']; enqueued: boolean; received_at: Date }>(
          'SELECT id, sha256, status, enqueued_at IS NOT NULL AS enqueued, received_at FROM inbound_message WHERE account_id = $1 AND sha256 = ANY($2::text[])',
          [accountId, missing],
        );
        for (const r of existing.rows) refs.set(r.sha256, { id: Number(r.id), sha256: r.sha256, isNew: false, status: r.status, enqueued: r.enqueued, receivedAt: r.received_at });
      }
      return items.map((m) => {
        const ref = refs.get(m.sha256);
        if (!ref) throw new Error(`message ${m.sha256} neither inserted nor found`);
        return ref;
      });
    });
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
