import type { Queue } from 'bullmq';
import type { SecretBox } from '../crypto/index.js';
import { webhookJob, type WebhookJobData } from '../jobs/job-catalogue.js';
import type { Logger } from '../log/index.js';
import { decideDelivery } from './delivery-policy.js';
import type { DeliveryRepository } from './delivery-repository.js';
import { signWebhook } from './signature.js';
import { webhookEventBody, type WebhookEventType } from './webhook-events.js';
import { sendWebhook } from './webhook-sender.js';

/** What delivering needs: the deliveries, the secrets, the `webhooks` queue and the operator's rules. */
export interface WebhookDeliveryDeps {
  repository: DeliveryRepository;
  queue: Queue;
  secrets: SecretBox;
  logger: Logger;
  /** MAILDUCT_WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  timeoutMs?: number;
  now?: () => number;
}

/** What became of one job. */
export type DeliveryStep = 'delivered' | 'retry' | 'failed' | 'skipped';

/** Publish an event: a delivery for every subscribed webhook (once per event id) and its first job (same job id when published again). */
export async function publishWebhookEvent(
  deps: Pick<WebhookDeliveryDeps, 'repository' | 'queue'>,
  type: WebhookEventType,
  eventId: string,
  body: string,
): Promise<number> {
  const ids = await deps.repository.addEvent(type, eventId, body);
  if (ids.length > 0) await deps.queue.addBulk(ids.map((id) => webhookJob(id, 1)));
  return ids.length;
}

/** Publish events, each under its own id (published again: delivered once). */
export async function publishEvents(
  deps: Pick<WebhookDeliveryDeps, 'repository' | 'queue'>,
  events: readonly { type: WebhookEventType; id: string; data: unknown }[],
  at = new Date(),
): Promise<void> {
  for (const e of events) await publishWebhookEvent(deps, e.type, e.id, webhookEventBody(e.type, e.data, at));
}

/**
 * One attempt of one delivery: signed now (a fresh timestamp, the kept body and event id), sent,
 * logged; a retry is a new job delayed as the policy says. A delivery already ended, or gone
 * with its webhook, is skipped; one whose webhook was disabled meanwhile ends without an attempt.
 */
export async function deliverWebhook(deps: WebhookDeliveryDeps, data: WebhookJobData): Promise<DeliveryStep> {
  const delivery = await deps.repository.pending(BigInt(data.deliveryId));
  if (!delivery || delivery.status === 'delivered' || delivery.status === 'failed') return 'skipped';
  if (!delivery.webhook.enabled) {
    await deps.repository.giveUp(delivery.id, 'the webhook is disabled');
    return 'failed';
  }
  const now = deps.now?.() ?? Date.now();
  const secret = deps.secrets.open(delivery.webhook.secretEnc);
  const record = await sendWebhook({
    url: delivery.webhook.url,
    body: delivery.body,
    headers: signWebhook(secret, delivery.eventId, now / 1000, delivery.body),
    allowPrivate: deps.allowPrivate,
    timeoutMs: deps.timeoutMs,
  });
  const attempt = delivery.attempts + 1;
  const decision = decideDelivery(record.result, attempt, delivery.firstAttemptAt?.getTime() ?? now, now);
  const outcome = await deps.repository.recordAttempt(delivery, record, decision, new Date(now));
  // Webhook and delivery ids only: a URL may carry a receiver's token in its query.
  const about = { webhookId: delivery.webhookId, deliveryId: String(delivery.id), event: delivery.eventType, attempt };
  if (outcome.disabled) deps.logger.warn(about, 'webhook disabled: nothing delivered for 24 h');
  if (decision.outcome === 'retry') {
    const next = webhookJob(delivery.id, attempt + 1, decision.delayMs);
    await deps.queue.add(next.name, next.data, next.opts);
    return 'retry';
  }
  if (decision.outcome === 'failed')
    deps.logger.warn({ ...about, reason: decision.reason }, 'webhook event not delivered');
  return decision.outcome;
}
