import type { Queue } from 'bullmq';
import { MailductError } from '../errors/index.js';
import { JOBS, ticketJobId } from './job-catalogue.js';
import type { TicketPayloadV1 } from './ticket-payload.js';

/** Puts dispatched tickets on the `tickets` queue. */
export interface TicketPublisher {
  publish(payloads: readonly TicketPayloadV1[]): Promise<void>;
}

/**
 * BullMQ publisher: one addBulk per batch, job id `msg-<messageId>`, so adding a ticket again
 * (after a crash, or from the outbox sweep) never creates a second job while the first is kept.
 */
export class BullTicketPublisher implements TicketPublisher {
  /** `keepHours`: how long a completed ticket job stays (MAILDUCT_TICKET_KEEP_HOURS). */
  constructor(
    private readonly queue: Queue,
    private readonly keepHours = JOBS.ticketDispatched.removeOnComplete.age / 3600,
  ) {}

  async publish(payloads: readonly TicketPayloadV1[]): Promise<void> {
    if (payloads.length === 0) return;
    try {
      await this.queue.addBulk(
        payloads.map((p) => ({
          name: JOBS.ticketDispatched.name,
          data: p,
          opts: {
            jobId: ticketJobId(p.messageId),
            attempts: JOBS.ticketDispatched.attempts,
            backoff: JOBS.ticketDispatched.backoff,
            removeOnComplete: { age: this.keepHours * 3600 },
            removeOnFail: JOBS.ticketDispatched.removeOnFail,
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
