import type { Queue } from 'bullmq';
import { buildTicketPayload, ticketJobId, type TicketPublisher } from '../jobs/index.js';
import type { MessageStore } from '../store/index.js';

export interface OutboxDeps {
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
    const ids = await deps.store.unconsumedTickets(after, o.olderThanMs, o.batch);
    if (ids.length === 0) return result;
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
    if (consumed.length > 0) await deps.store.markConsumed(consumed);
    if (missing.length > 0) {
      const rowsToSend = await deps.store.ticketRows(missing);
      await deps.publisher.publish(rowsToSend.map(buildTicketPayload));
      await deps.store.markEnqueued(missing);
    }
    result.consumed += consumed.length;
    result.requeued += missing.length;
  }
}
