import type pg from 'pg';
import type { PrismaClient } from '../db/index.js';
import { storableText } from '../text/index.js';
import { disableFailingWebhook, type DeliveryDecision } from './delivery-policy.js';
import type { WebhookEventType } from './webhook-events.js';
import type { AttemptRecord } from './webhook-sender.js';

/** A delivery with its webhook, as the sender needs it. */
export interface PendingDelivery {
  id: bigint;
  webhookId: number;
  eventId: string;
  eventType: string;
  body: string;
  status: string;
  attempts: number;
  firstAttemptAt: Date | null;
  lastError: string | null;
  webhook: { enabled: boolean; url: string; secretEnc: string; failingSince: Date | null };
}

/** What recording an attempt changed beyond the delivery. */
export interface AttemptOutcome {
  /** The webhook was disabled by this attempt: nothing delivered for 24 h. */
  disabled: boolean;
}

const ERROR_MAX = 500;

/**
 * The webhook deliveries in PostgreSQL, the source of truth (the queue only says when to try):
 * one row per event and webhook (unique by event id, so publishing an event twice delivers it
 * once), one row per attempt, and the webhook's failing state. The steps of every event (add,
 * read, record a delivery) are one SQL statement each on the pg pool: through Prisma they took
 * most of a webhooks process's CPU (bench/webhooks).
 */
export class DeliveryRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly pool: pg.Pool,
  ) {}

  /**
   * Record `body` for every enabled webhook subscribed to `type`, once per event id; the ids of
   * the event's deliveries not yet attempted, which need their first job. Published again (the
   * publisher died before adding the jobs, and its job ran again), the event's deliveries are
   * not doubled, and those still waiting for a first attempt are returned again.
   */
  async addEvent(type: WebhookEventType, eventId: string, body: string): Promise<bigint[]> {
    const { rows } = await this.pool.query<{ hooks: string; ids: string[] }>(
      `WITH hooks AS (SELECT id FROM webhook WHERE enabled AND $1 = ANY (events)),
       added AS (
         INSERT INTO webhook_delivery (webhook_id, event_id, event_type, body)
         SELECT id, $2, $1, $3 FROM hooks
         ON CONFLICT (webhook_id, event_id) DO NOTHING RETURNING id)
       SELECT (SELECT count(*) FROM hooks) AS hooks, ARRAY(SELECT id FROM added ORDER BY id) AS ids`,
      [type, eventId, body],
    );
    const { hooks, ids } = rows[0]!;
    if (ids.length === Number(hooks)) return ids.map(BigInt);
    const unattempted = await this.pool.query<{ id: string }>(
      `SELECT d.id FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id
       WHERE d.event_id = $1 AND w.enabled AND $2 = ANY (w.events) AND d.status = 'pending' AND d.attempts = 0
       ORDER BY d.id`,
      [eventId, type],
    );
    return unattempted.rows.map((r) => BigInt(r.id));
  }

  /** A delivery to attempt, with its webhook; null when it is gone (webhook deleted). */
  async pending(id: bigint): Promise<PendingDelivery | null> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT d.id, d.webhook_id, d.event_id, d.event_type, d.body, d.status, d.attempts, d.first_attempt_at,
              d.last_error, w.enabled, w.url, w.secret_enc, w.failing_since
       FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id WHERE d.id = $1`,
      [String(id)],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: BigInt(r.id as string),
      webhookId: r.webhook_id as number,
      eventId: r.event_id as string,
      eventType: r.event_type as string,
      body: r.body as string,
      status: r.status as string,
      attempts: r.attempts as number,
      firstAttemptAt: r.first_attempt_at as Date | null,
      lastError: r.last_error as string | null,
      webhook: {
        enabled: r.enabled as boolean,
        url: r.url as string,
        secretEnc: r.secret_enc as string,
        failingSince: r.failing_since as Date | null,
      },
    };
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

  /**
   * Remove delivered and failed deliveries created before `before`, with their attempts; how many.
   * One webhook at a time, so (webhook_id, created_at) narrows each statement to the old
   * deliveries: by status alone it would read the whole log every minute (bench/scale/housekeeping).
   */
  async removeEnded(before: Date): Promise<number> {
    const hooks = await this.prisma.webhook.findMany({ select: { id: true } });
    let removed = 0;
    for (const { id } of hooks) {
      const { count } = await this.prisma.webhookDelivery.deleteMany({
        where: { webhookId: id, status: { in: ['delivered', 'failed'] }, createdAt: { lt: before } },
      });
      removed += count;
    }
    return removed;
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
    const excerpt = record.responseExcerpt === null ? null : storableText(record.responseExcerpt).slice(0, 1024);
    if (decision.outcome === 'delivered') {
      await this.delivered(delivery, { status, latencyMs: record.latencyMs, excerpt }, now);
      return { disabled: false };
    }
    return this.prisma.$transaction(async (tx) => {
      await tx.webhookAttempt.create({
        data: {
          deliveryId: delivery.id,
          attempt: delivery.attempts + 1,
          at: now,
          statusCode: status,
          error,
          latencyMs: record.latencyMs,
          responseExcerpt: excerpt,
        },
      });
      await tx.webhookDelivery.update({
        where: { id: delivery.id },
        data: {
          attempts: { increment: 1 },
          firstAttemptAt: delivery.firstAttemptAt ?? now,
          status: decision.outcome === 'retry' ? 'retrying' : 'failed',
          deliveredAt: null,
          nextAttemptAt: decision.outcome === 'retry' ? new Date(now.getTime() + decision.delayMs) : null,
          lastError: error,
        },
      });
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

  /** The common case, one statement: the attempt logged, the delivery done, the webhook's failing state cleared. */
  private async delivered(
    d: PendingDelivery,
    a: { status: number | null; latencyMs: number; excerpt: string | null },
    now: Date,
  ): Promise<void> {
    await this.pool.query(
      `WITH logged AS (
         INSERT INTO webhook_attempt (delivery_id, attempt, at, status_code, latency_ms, response_excerpt)
         VALUES ($1, $2, $3, $4, $5, $6)),
       done AS (
         UPDATE webhook_delivery SET attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, $3),
           status = 'delivered', next_attempt_at = NULL, delivered_at = $3, last_error = NULL
         WHERE id = $1)
       UPDATE webhook SET failing_since = NULL WHERE id = $7 AND failing_since IS NOT NULL`,
      [String(d.id), d.attempts + 1, now, a.status, a.latencyMs, a.excerpt, d.webhookId],
    );
  }
}
