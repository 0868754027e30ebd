import type { PrismaClient, WebhookDeliveryRow, WebhookRow } from '../db/index.js';
import { storableText } from '../text/index.js';
import { disableFailingWebhook, type DeliveryDecision } from './delivery-policy.js';
import type { WebhookEventType } from './webhook-events.js';
import type { AttemptRecord } from './webhook-sender.js';

/** A delivery with its webhook, as the sender needs it. */
export type PendingDelivery = WebhookDeliveryRow & { webhook: WebhookRow };

/** What recording an attempt changed beyond the delivery. */
export interface AttemptOutcome {
  /** The webhook was disabled by this attempt: nothing delivered for 24 h. */
  disabled: boolean;
}

const ERROR_MAX = 500;

/**
 * The webhook deliveries in PostgreSQL, the source of truth (the queue only says when to try):
 * one row per event and webhook (unique by event id, so publishing an event twice delivers it
 * once), one row per attempt, and the webhook's failing state.
 */
export class DeliveryRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Record `body` for every enabled webhook subscribed to `type`, once per event id; the ids of
   * the event's deliveries not yet attempted, which need their first job. Published again (the
   * publisher died before adding the jobs, and its job ran again), the event's deliveries are
   * not doubled, and those still waiting for a first attempt are returned again.
   */
  async addEvent(type: WebhookEventType, eventId: string, body: string): Promise<bigint[]> {
    const hooks = await this.prisma.webhook.findMany({
      where: { enabled: true, events: { has: type } },
      select: { id: true },
    });
    if (hooks.length === 0) return [];
    const added = await this.prisma.webhookDelivery.createManyAndReturn({
      data: hooks.map((h) => ({ webhookId: h.id, eventId, eventType: type, body })),
      skipDuplicates: true,
      select: { id: true },
    });
    if (added.length === hooks.length) return added.map((d) => d.id);
    const unattempted = await this.prisma.webhookDelivery.findMany({
      where: { eventId, webhookId: { in: hooks.map((h) => h.id) }, status: 'pending', attempts: 0 },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return unattempted.map((d) => d.id);
  }

  /** A delivery to attempt, with its webhook; null when it is gone (webhook deleted). */
  async pending(id: bigint): Promise<PendingDelivery | null> {
    return this.prisma.webhookDelivery.findUnique({ where: { id }, include: { webhook: true } });
  }

  /**
   * Deliveries still to attempt that were due before `dueBefore` (created then, or their retry
   * due then): their job should have run by now. Oldest first, at most `limit`.
   */
  async stranded(dueBefore: Date, limit: number): Promise<{ id: bigint; attempts: number }[]> {
    return this.prisma.webhookDelivery.findMany({
      where: {
        OR: [
          { status: 'pending', createdAt: { lt: dueBefore } },
          { status: 'retrying', nextAttemptAt: { lt: dueBefore } },
        ],
      },
      select: { id: true, attempts: true },
      orderBy: { id: 'asc' },
      take: limit,
    });
  }

  /** Remove delivered and failed deliveries created before `before`, with their attempts; how many. */
  async removeEnded(before: Date): Promise<number> {
    const { count } = await this.prisma.webhookDelivery.deleteMany({
      where: { status: { in: ['delivered', 'failed'] }, createdAt: { lt: before } },
    });
    return count;
  }

  /** End a delivery without an attempt (its webhook was disabled meanwhile). */
  async giveUp(id: bigint, reason: string): Promise<void> {
    await this.prisma.webhookDelivery.update({
      where: { id },
      data: { status: 'failed', nextAttemptAt: null, lastError: reason.slice(0, ERROR_MAX) },
    });
  }

  /**
   * Log an attempt and apply its decision: the delivery's status, the webhook's failing state
   * (cleared by a delivery, begun by the first failure) and, after 24 h of failures, disabling it.
   */
  async recordAttempt(
    delivery: PendingDelivery,
    record: AttemptRecord,
    decision: DeliveryDecision,
    now: Date,
  ): Promise<AttemptOutcome> {
    const status = 'status' in record.result ? record.result.status : null;
    const reason =
      'error' in record.result ? record.result.message : decision.outcome === 'delivered' ? null : decision.reason;
    // Receiver and server text may carry any byte; PostgreSQL text columns refuse NUL.
    const error = reason === null ? null : storableText(reason).slice(0, ERROR_MAX);
    return this.prisma.$transaction(async (tx) => {
      await tx.webhookAttempt.create({
        data: {
          deliveryId: delivery.id,
          attempt: delivery.attempts + 1,
          at: now,
          statusCode: status,
          error,
          latencyMs: record.latencyMs,
          responseExcerpt: record.responseExcerpt === null ? null : storableText(record.responseExcerpt).slice(0, 1024),
        },
      });
      await tx.webhookDelivery.update({
        where: { id: delivery.id },
        data: {
          attempts: { increment: 1 },
          firstAttemptAt: delivery.firstAttemptAt ?? now,
          status: decision.outcome === 'retry' ? 'retrying' : decision.outcome,
          nextAttemptAt: decision.outcome === 'retry' ? new Date(now.getTime() + decision.delayMs) : null,
          deliveredAt: decision.outcome === 'delivered' ? now : null,
          lastError: error,
        },
      });
      if (decision.outcome === 'delivered') {
        await tx.webhook.update({ where: { id: delivery.webhookId }, data: { failingSince: null } });
        return { disabled: false };
      }
      const hook = await tx.webhook.findUniqueOrThrow({ where: { id: delivery.webhookId } });
      const failingSince = hook.failingSince ?? now;
      const disable = hook.enabled && disableFailingWebhook(failingSince, now.getTime());
      await tx.webhook.update({
        where: { id: hook.id },
        data: {
          failingSince,
          ...(disable
            ? {
                enabled: false,
                disabledReason: `nothing delivered for 24 h; the last attempt: ${error ?? 'failed'}`.slice(0, 500),
              }
            : {}),
        },
      });
      return { disabled: disable };
    });
  }
}
