import { QueueEvents } from 'bullmq';
import type { Infrastructure } from '@mailduct/core/infrastructure';
import { BullTicketPublisher, JOBS, messageIdOfTicketJob } from '@mailduct/core/jobs';
import type { Logger } from '@mailduct/core/log';
import { sweepOutbox } from '@mailduct/core/outbox';
import { PgMessageStore } from '@mailduct/core/store';

export interface Housekeeping {
  /** One sweep of the outbox, of expired raw mail and of expired access tokens (also run every `everyMs`). */
  runOnce(): Promise<{ requeued: number; consumed: number; expired: number; expiredTokens: number }>;
  close(): Promise<void>;
}

/**
 * Keeps PostgreSQL the source of truth for tickets: records consumed tickets from BullMQ's
 * completed events, re-enqueues dispatched tickets Redis no longer has (the outbox sweep), and
 * drops raw mail after MAILDUCT_RETENTION_DAYS and OAuth2 access tokens past their expiry.
 * Idempotent, so several schedulers may run it.
 */
export function startHousekeeping(
  infra: Infrastructure,
  logger: Logger,
  o: { everyMs?: number; sweepAfterMs?: number } = {},
): Housekeeping {
  const { config, workerQueues: queues } = infra;
  const store = new PgMessageStore(infra.pool);
  const eventsConnection = infra.dedicatedRedis('ticket-events');
  const events = new QueueEvents(JOBS.ticketDispatched.queue, {
    connection: eventsConnection,
    prefix: config.queuePrefix,
  });
  events.on('error', () => {});
  events.on('completed', ({ jobId }) => {
    const id = messageIdOfTicketJob(jobId);
    if (id !== null)
      store
        .markConsumed([id])
        .catch((err: unknown) => logger.warn({ err, jobId }, 'could not record a consumed ticket; the sweep will'));
  });
  const runOnce = async () => {
    const sweep = await sweepOutbox(
      { store, publisher: new BullTicketPublisher(queues.tickets), tickets: queues.tickets },
      { olderThanMs: o.sweepAfterMs ?? 10 * 60_000, batch: 500 },
    );
    const expired = await store.expireRaw(config.retentionDays);
    const expiredTokens = await infra.accessTokens.tokens.expireAccessTokens();
    if (sweep.requeued > 0) logger.warn({ requeued: sweep.requeued }, 'tickets missing from Redis were enqueued again');
    if (expired > 0) logger.info({ expired }, 'raw mail past its retention removed');
    return { requeued: sweep.requeued, consumed: sweep.consumed, expired, expiredTokens };
  };
  let running = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => runOnce().then(() => undefined))
      .catch((err: unknown) => logger.warn({ err }, 'housekeeping failed'));
  }, o.everyMs ?? 60_000);
  return {
    runOnce,
    async close() {
      clearInterval(timer);
      await running;
      await events.close();
      eventsConnection.disconnect();
    },
  };
}
