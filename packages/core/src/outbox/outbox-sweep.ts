import type { Queue } from 'bullmq';
import type pg from 'pg';
import { buildTicketPayload, ticketJobId, type TicketPublisher } from '../jobs/index.js';
import type { MessageStore } from '../store/index.js';

export interface OutboxDeps {
  pool: pg.Pool;
  store: MessageStore;
  publisher: TicketPublisher;
  tickets: Queue;
}

export interface SweepResult {
  checked: number;
  consumed: number;
  requeued: number;
}

/**
 * PostgreSQL is the source of truth for tickets, not Redis. Every dispatched message whose
 * ticket has not been seen completed is looked up in Redis: completed → recorded as consumed;
 * missing (Redis lost its data, or the process died between recording and enqueueing) → added
 * again under the same job id. Safe to run from several processes at once.
 */
export async function sweepOutbox(deps: OutboxDeps, o: { olderThanMs: number; batch: number }): Promise<SweepResult> {
  const result: SweepResult = { checked: 0, consumed: 0, requeued: 0 };
  let after = 0;
  for (;;) {
    const { rows } = await deps.pool.query<{ id: string }>(
      `SELECT id FROM inbound_message WHERE status = 'dispatched' AND consumed_at IS NULL AND id > $1
         AND coalesce(enqueued_at, dispatched_at, received_at) < now() - make_interval(secs => $2) ORDER BY id LIMIT $3`,
      [after, o.olderThanMs / 1000, o.batch],
    );
    if (rows.length === 0) return result;
    const ids = rows.map((r) => Number(r.id));
    after = ids[ids.length - 1]!;
    result.checked += ids.length;
    const jobs = await Promise.all(ids.map((id) => deps.tickets.getJob(ticketJobId(id))));
    const consumed: number[] = [];
    const missing: number[] = [];
    await Promise.all(
      ids.map(async (id, i) => {
        const job = jobs[i];
        if (!job) missing.push(id);
        else if ((await job.getState()) === 'completed') consumed.push(id);
      }),
    );
    if (consumed.length > 0) await markConsumed(deps.pool, consumed);
    if (missing.length > 0) {
      const rowsToSend = await deps.store.ticketRows(missing);
      await deps.publisher.publish(rowsToSend.map(buildTicketPayload));
      await deps.store.markEnqueued(missing);
    }
    result.consumed += consumed.length;
    result.requeued += missing.length;
  }
}

/** Record that the ticket system completed these tickets (BullMQ completed events, or the sweep). */
export async function markConsumed(pool: pg.Pool, ids: readonly number[]): Promise<void> {
  if (ids.length > 0)
    await pool.query(
      'UPDATE inbound_message SET consumed_at = now() WHERE id = ANY($1::bigint[]) AND consumed_at IS NULL',
      [ids],
    );
}

/**
 * Drop the raw bytes of mail kept long enough: dispatched and consumed more than `days` ago,
 * or ignored more than `days` ago. Quarantined mail is kept until it is reprocessed. Rows (with
 * headers and dispatch record) stay.
 */
export async function expireRawMail(pool: pg.Pool, days: number, batch = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const res = await pool.query(
      `UPDATE inbound_message SET raw = NULL, parsed = NULL WHERE id IN (
         SELECT id FROM inbound_message WHERE raw IS NOT NULL AND (
           (status = 'dispatched' AND consumed_at < now() - make_interval(days => $1)) OR
           (status = 'ignored' AND received_at < now() - make_interval(days => $1)))
         LIMIT $2)`,
      [days, batch],
    );
    total += res.rowCount ?? 0;
    if ((res.rowCount ?? 0) < batch) return total;
  }
}
