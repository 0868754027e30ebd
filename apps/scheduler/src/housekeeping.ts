import { QueueEvents } from 'bullmq';
import type { Infrastructure } from '@mailduct/core/infrastructure';
import { BullTicketPublisher, JOBS, messageIdOfTicketJob, queueOptions } from '@mailduct/core/jobs';
import type { Logger } from '@mailduct/core/log';
import { sweepOutbox } from '@mailduct/core/outbox';
import { PgMessageStore } from '@mailduct/core/store';
import { DeliveryRepository, sweepDeliveries } from '@mailduct/core/webhooks';

/** The row expiry reads every old row it keeps (mail kept on the server), so it runs at most this often. */
const ROW_EXPIRY_EVERY_MS = 3_600_000;

/** What one round of housekeeping did. */
interface HousekeepingRound {
  requeued: number;
  consumed: number;
  expired: number;
  /** Rows of mail gone from the server and done with for MAILDUCT_MESSAGE_LOG_DAYS, deleted. */
  expiredRows: number;
  expiredTokens: number;
  /** Webhook deliveries whose job was lost or failed, given one again. */
  webhookRequeued: number;
}

export interface Housekeeping {
  /** One sweep of the outbox, webhook deliveries, expired raw mail, message rows and access tokens (also run every `everyMs`). */
  runOnce(): Promise<HousekeepingRound>;
  close(): Promise<void>;
}

/**
 * Keeps PostgreSQL the source of truth for tickets: records consumed tickets from BullMQ's
 * completed events, re-enqueues dispatched tickets Redis no longer has (the outbox sweep), and
 * drops raw mail after MAILDUCT_RETENTION_DAYS, the rows of mail gone from the server after
 * MAILDUCT_MESSAGE_LOG_DAYS (when set; at most hourly) and OAuth2 access tokens past their expiry;
 * re-adds webhook deliveries whose job was lost and drops the delivery log past
 * MAILDUCT_WEBHOOK_LOG_DAYS.
 * Idempotent, so several schedulers may run it.
 */
export function startHousekeeping(
  infra: Infrastructure,
  logger: Logger,
  o: { everyMs?: number; sweepAfterMs?: number; webhookGraceMs?: number } = {},
): Housekeeping {
  const { config, workerQueues: queues } = infra;
  const store = new PgMessageStore(infra.pool);
  const { events, eventsConnection } = recordConsumedTickets(infra, store, logger);
  const deliveries = new DeliveryRepository(infra.prisma, infra.pool);
  const expireRows = atMostEvery(ROW_EXPIRY_EVERY_MS, () => store.expireRows(config.messageLogDays));
  const runOnce = async (): Promise<HousekeepingRound> => {
    const sweep = await sweepOutbox(
      { store, publisher: new BullTicketPublisher(queues.tickets, config.ticketKeepHours), tickets: queues.tickets },
      { olderThanMs: o.sweepAfterMs ?? 10 * 60_000, batch: 500 },
    );
    const expired = await store.expireRaw(config.retentionDays);
    const expiredRows = config.messageLogDays > 0 ? await expireRows() : 0;
    const expiredTokens = await infra.accessTokens.tokens.expireAccessTokens();
    const hooks = await sweepDeliveries(
      { repository: deliveries, queue: queues.webhooks },
      { graceMs: o.webhookGraceMs ?? 5 * 60_000, keepDays: config.webhookLogDays },
    );
    const round = {
      requeued: sweep.requeued,
      consumed: sweep.consumed,
      expired,
      expiredRows,
      expiredTokens,
      webhookRequeued: hooks.requeued,
    };
    logRound(logger, round);
    return round;
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

/** What an operator should hear of a round: what was lost and made good (warn), what was deleted (info). */
function logRound(logger: Logger, round: HousekeepingRound): void {
  const { webhookRequeued, requeued, expired, expiredRows } = round;
  if (webhookRequeued > 0)
    logger.warn({ requeued: webhookRequeued }, 'webhook deliveries without a job were queued again');
  if (requeued > 0) logger.warn({ requeued }, 'tickets missing from Redis were enqueued again');
  if (expired > 0) logger.info({ expired }, 'raw mail past its retention removed');
  if (expiredRows > 0)
    logger.info({ expiredRows }, 'rows of mail gone from the server past MAILDUCT_MESSAGE_LOG_DAYS deleted');
}

/** `run` at most once per `everyMs`; between, nothing done (0). */
function atMostEvery(everyMs: number, run: () => Promise<number>): () => Promise<number> {
  let dueAt = 0;
  return () => {
    if (Date.now() < dueAt) return Promise.resolve(0);
    dueAt = Date.now() + everyMs;
    return run();
  };
}

/** Record each ticket the ticket system completes as consumed, from BullMQ's completed events. */
function recordConsumedTickets(infra: Infrastructure, store: PgMessageStore, logger: Logger) {
  const eventsConnection = infra.dedicatedRedis('ticket-events');
  const events = new QueueEvents(
    JOBS.ticketDispatched.queue,
    queueOptions(eventsConnection, infra.config.queuePrefix, JOBS.ticketDispatched.queue),
  );
  events.on('error', () => {});
  events.on('completed', ({ jobId }) => {
    const id = messageIdOfTicketJob(jobId);
    if (id !== null)
      store
        .markConsumed([id])
        .catch((err: unknown) => logger.warn({ err, jobId }, 'could not record a consumed ticket; the sweep will'));
  });
  return { events, eventsConnection };
}
