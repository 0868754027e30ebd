import { Worker } from 'bullmq';
import type { Infrastructure } from '@mailduct/core/infrastructure';
import { JOBS, parseWebhookJobData, type TicketPayloadV1 } from '@mailduct/core/jobs';
import type { Logger } from '@mailduct/core/log';
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
 * number of these processes may run; each delivery is one job.
 */
export async function startWebhooks(infra: Infrastructure, logger: Logger): Promise<RunningWebhooks> {
  const { config } = infra;
  const repository = new DeliveryRepository(infra.prisma);
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
      connection,
      prefix: config.queuePrefix,
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
        { connection: infra.dedicatedRedis('tickets-forwarder'), prefix: config.queuePrefix, concurrency: 5 },
      ),
    );
  for (const w of workers) w.on('error', (err) => logger.error({ err: err.message }, 'webhooks worker error'));
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  logger.info({ forwardTickets: config.forwardTickets }, 'webhooks ready');
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
