import { Worker } from 'bullmq';
import type { Infrastructure } from '@mailduct/core/infrastructure';
import { JOBS, parseWebhookJobData, queueOptions, type TicketPayloadV1 } from '@mailduct/core/jobs';
import type { Logger } from '@mailduct/core/log';
import { NotificationRepository, sendDigests, smtpMailer } from '@mailduct/core/notify';
import {
  deliverWebhook,
  DeliveryRepository,
  publishWebhookEvent,
  webhookEventBody,
  webhookEventId,
  type WebhookDeliveryDeps,
} from '@mailduct/core/webhooks';

/** A running webhooks role: how to stop it. */
export interface RunningWebhooks {
  close(): Promise<void>;
}

/**
 * The webhooks role: a BullMQ worker delivering webhook events (MAILDUCT_WEBHOOK_CONCURRENCY at
 * once) and, with MAILDUCT_FORWARD_TICKETS=true, the consumer of the `tickets` queue that sends
 * each ticket as `ticket.dispatched`: a ticket system can then take tickets over HTTP alone. Any
 * number of these processes may run; each delivery is one job. With MAILDUCT_NOTIFY_TO it also
 * mails account health digests (at most one per account an hour).
 */
export async function startWebhooks(infra: Infrastructure, logger: Logger): Promise<RunningWebhooks> {
  const { config } = infra;
  const repository = new DeliveryRepository(infra.prisma, infra.pool);
  const deps: WebhookDeliveryDeps = {
    repository,
    queue: infra.workerQueues.webhooks,
    secrets: infra.secrets,
    logger,
    allowPrivate: config.webhookAllowPrivate,
  };
  const connection = infra.dedicatedRedis('webhooks-worker');
  const workers = [
    new Worker(JOBS.webhookDelivery.queue, async (job) => deliverWebhook(deps, parseWebhookJobData(job.data)), {
      ...queueOptions(connection, config.queuePrefix, JOBS.webhookDelivery.queue),
      concurrency: config.webhookConcurrency,
    }),
  ];
  if (config.forwardTickets)
    workers.push(
      new Worker(
        JOBS.ticketDispatched.queue,
        async (job) => {
          const ticket = job.data as TicketPayloadV1;
          if (!Number.isSafeInteger(ticket?.messageId)) throw new Error('not a ticket.dispatched payload');
          const body = webhookEventBody('ticket.dispatched', ticket, new Date());
          return publishWebhookEvent(
            deps,
            'ticket.dispatched',
            webhookEventId('ticket.dispatched', ticket.messageId),
            body,
          );
        },
        {
          ...queueOptions(infra.dedicatedRedis('tickets-forwarder'), config.queuePrefix, JOBS.ticketDispatched.queue),
          concurrency: config.webhookConcurrency,
        },
      ),
    );
  const digests = config.notify ? startDigests(infra, logger) : null;
  for (const w of workers) w.on('error', (err) => logger.error({ err: err.message }, 'webhooks worker error'));
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  logger.info({ forwardTickets: config.forwardTickets, notify: config.notify !== null }, 'webhooks ready');
  return {
    async close() {
      await Promise.all([...workers.map((w) => w.close()), digests?.close()]);
    },
  };
}

/** Mail account health digests every minute (MAILDUCT_NOTIFY_TO): one round at a time. */
function startDigests(infra: Infrastructure, logger: Logger, everyMs = 60_000) {
  const deps = {
    repository: new NotificationRepository(infra.prisma),
    mailer: smtpMailer(infra.config.notify!, infra.config.extraCa),
    logger,
    publicUrl: infra.config.publicUrl,
  };
  let round = Promise.resolve();
  const timer = setInterval(() => {
    round = round
      .then(() => sendDigests(deps).then(() => undefined))
      .catch((err: Error) => logger.warn({ err: err.message }, 'account notifications round failed'));
  }, everyMs);
  return {
    async close() {
      clearInterval(timer);
      await round;
      deps.mailer.close();
    },
  };
}
