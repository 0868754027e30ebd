import type { Queue } from 'bullmq';
import { MailductError } from '../errors/index.js';
import { JOB_NAMES, ticketJobId } from './queue-names.js';
import type { TicketPayloadV1 } from './ticket-payload.js';

/** Puts dispatched tickets on the `tickets` queue. */
export interface TicketPublisher {
  publish(payloads: readonly TicketPayloadV1[]): Promise<void>;
}

/** How long finished ticket jobs stay in Redis: a re-add with the same id within this time is a no-op. */
const KEEP_COMPLETED_SECONDS = 7 * 24 * 3600;

/**
 * BullMQ publisher: one addBulk per batch, job id `msg-<messageId>`, so adding a ticket again
 * (after a crash, or from the outbox sweep) never creates a second job while the first is kept.
 */
export class BullTicketPublisher implements TicketPublisher {
  constructor(private readonly queue: Queue) {}

  async publish(payloads: readonly TicketPayloadV1[]): Promise<void> {
    if (payloads.length === 0) return;
    try {
      await this.queue.addBulk(
        payloads.map((p) => ({
          name: JOB_NAMES.ticketDispatched,
          data: p,
          opts: {
            jobId: ticketJobId(p.messageId),
            attempts: 10,
            backoff: { type: 'exponential', delay: 5000 },
            removeOnComplete: { age: KEEP_COMPLETED_SECONDS },
            removeOnFail: { age: 4 * KEEP_COMPLETED_SECONDS },
          },
        })),
      );
    } catch (cause) {
      throw new MailductError(
        'STORAGE_UNAVAILABLE',
        `Redis: cannot enqueue ${payloads.length} ticket job(s) (${(cause as Error).message})`,
        { cause },
      );
    }
  }
}
