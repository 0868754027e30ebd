import type { Queue } from 'bullmq';
import { diffFields, recordAudit } from '../audit/index.js';
import type { SecretBox } from '../crypto/index.js';
import type { PrismaClient, WebhookRow } from '../db/index.js';
import { MailductError, validationError } from '../errors/index.js';
import { webhookJob } from '../jobs/job-catalogue.js';
import { newWebhookSecret } from './signature.js';
import { isWebhookEvent } from './webhook-events.js';
import {
  DESCRIPTION_MAX,
  type DeliveryView,
  type WebhookCreateBody,
  type WebhookCreated,
  type WebhookPatchBody,
  type WebhookView,
} from './webhook-schema.js';
import { webhookUrlProblem } from './webhook-url.js';

const SECRET = new Set(['secret']);
const DELIVERIES_SHOWN = 50;

/**
 * Webhooks: where events go (the URL checked, the events known), a signing secret made here and
 * shown once, the delivery log and redelivery of one event; every change in the audit trail.
 */
export class WebhookService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly secrets: SecretBox,
    private readonly queue: Queue,
    private readonly options: { allowHttp: boolean },
  ) {}

  async list(): Promise<WebhookView[]> {
    return (await this.prisma.webhook.findMany({ orderBy: { id: 'asc' } })).map(toView);
  }

  /** Throws WEBHOOK_NOT_FOUND. */
  async get(id: number): Promise<WebhookView> {
    return toView(await this.row(id));
  }

  /** A new webhook and its secret (returned this once). Throws VALIDATION_FAILED. */
  async create(input: WebhookCreateBody, actor: string): Promise<WebhookCreated> {
    this.check(input);
    const secret = newWebhookSecret();
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await tx.webhook.create({
        data: {
          url: input.url,
          events: input.events,
          enabled: input.enabled ?? true,
          description: input.description ?? null,
          secretEnc: this.secrets.seal(secret),
          createdBy: actor,
          updatedBy: actor,
        },
      });
      const changes = diffFields(null, { ...auditable(created), secret: 'set' }, SECRET);
      await recordAudit(tx, { actor, action: 'create', entity: 'webhook', entityId: created.id, changes });
      return created;
    });
    return { ...toView(row), secret };
  }

  /** Change a webhook; enabling it again clears its failing state. Throws WEBHOOK_NOT_FOUND, VALIDATION_FAILED. */
  async update(id: number, patch: WebhookPatchBody, actor: string): Promise<WebhookView> {
    const current = await this.row(id);
    this.check({
      url: patch.url ?? current.url,
      events: patch.events ?? current.events,
      description: patch.description,
    });
    const enabling = patch.enabled === true && !current.enabled;
    const row = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.webhook.update({
        where: { id },
        data: {
          ...(patch.url === undefined ? {} : { url: patch.url }),
          ...(patch.events === undefined ? {} : { events: patch.events }),
          ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
          ...(patch.description === undefined ? {} : { description: patch.description }),
          ...(enabling ? { failingSince: null, disabledReason: null } : {}),
          updatedBy: actor,
        },
      });
      const changes = diffFields(auditable(current), auditable(updated));
      if (Object.keys(changes).length > 0)
        await recordAudit(tx, { actor, action: 'update', entity: 'webhook', entityId: id, changes });
      return updated;
    });
    return toView(row);
  }

  /** Delete a webhook and its delivery log. Throws WEBHOOK_NOT_FOUND. */
  async remove(id: number, actor: string): Promise<void> {
    const current = await this.row(id);
    await this.prisma.$transaction(async (tx) => {
      await tx.webhook.delete({ where: { id } });
      const changes = diffFields({ url: current.url }, null);
      await recordAudit(tx, { actor, action: 'delete', entity: 'webhook', entityId: id, changes });
    });
  }

  /** The newest deliveries of a webhook with their attempts. Throws WEBHOOK_NOT_FOUND. */
  async deliveries(id: number): Promise<DeliveryView[]> {
    await this.row(id);
    const rows = await this.prisma.webhookDelivery.findMany({
      where: { webhookId: id },
      orderBy: { id: 'desc' },
      take: DELIVERIES_SHOWN,
      include: { log: { orderBy: { attempt: 'asc' } } },
    });
    return rows.map(deliveryView);
  }

  /**
   * Send one event again (the same body and webhook-id: the receiver deduplicates), with a new
   * 24-hour retry window. Throws WEBHOOK_NOT_FOUND, WEBHOOK_DELIVERY_NOT_FOUND.
   */
  async redeliver(id: number, deliveryId: string, actor: string): Promise<DeliveryView> {
    await this.row(id);
    const key = /^[1-9]\d{0,18}$/.test(deliveryId) ? BigInt(deliveryId) : null;
    const found =
      key === null ? null : await this.prisma.webhookDelivery.findFirst({ where: { id: key, webhookId: id } });
    if (!found) throw new MailductError('WEBHOOK_DELIVERY_NOT_FOUND', `webhook ${id} has no delivery ${deliveryId}`);
    const updated = await this.prisma.webhookDelivery.update({
      where: { id: found.id },
      data: { status: 'pending', firstAttemptAt: null, nextAttemptAt: null },
      include: { log: { orderBy: { attempt: 'asc' } } },
    });
    const job = webhookJob(found.id, found.attempts + 1);
    await this.queue.add(job.name, job.data, job.opts);
    await recordAudit(this.prisma, {
      actor,
      action: 'redeliver',
      entity: 'webhook',
      entityId: id,
      changes: { delivery: { from: found.status, to: `pending (${found.eventId})` } },
    });
    return deliveryView(updated);
  }

  private check(input: { url: string; events: readonly string[]; description?: string | null }): void {
    const problems = [];
    if ((input.description?.length ?? 0) > DESCRIPTION_MAX)
      problems.push({
        field: 'description',
        problem: `must be text of at most ${DESCRIPTION_MAX} characters, or null`,
      });
    const url = webhookUrlProblem(input.url, this.options);
    if (url) problems.push({ field: 'url', problem: url });
    const unknown = input.events.filter((e) => !isWebhookEvent(e));
    if (input.events.length === 0) problems.push({ field: 'events', problem: 'must name at least one event' });
    if (unknown.length > 0) problems.push({ field: 'events', problem: `are not events: ${unknown.join(', ')}` });
    if (problems.length > 0) throw validationError(problems);
  }

  private async row(id: number): Promise<WebhookRow> {
    const row = Number.isSafeInteger(id) ? await this.prisma.webhook.findUnique({ where: { id } }) : null;
    if (!row) throw new MailductError('WEBHOOK_NOT_FOUND', `webhook ${id} does not exist`);
    return row;
  }
}

function auditable(r: WebhookRow): Record<string, unknown> {
  return { url: r.url, events: r.events.join(','), enabled: r.enabled, description: r.description };
}

function toView(r: WebhookRow): WebhookView {
  return {
    id: r.id,
    url: r.url,
    events: r.events,
    enabled: r.enabled,
    description: r.description,
    failingSince: r.failingSince?.toISOString() ?? null,
    disabledReason: r.disabledReason,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
    updatedAt: r.updatedAt.toISOString(),
    updatedBy: r.updatedBy,
  };
}

type DeliveryRowWithLog = Awaited<ReturnType<PrismaClient['webhookDelivery']['findMany']>>[number] & {
  log: {
    attempt: number;
    at: Date;
    statusCode: number | null;
    error: string | null;
    latencyMs: number;
    responseExcerpt: string | null;
  }[];
};

function deliveryView(d: DeliveryRowWithLog): DeliveryView {
  return {
    id: String(d.id),
    eventId: d.eventId,
    event: d.eventType,
    status: d.status as DeliveryView['status'],
    attempts: d.attempts,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    lastError: d.lastError,
    log: d.log.map((l) => ({
      attempt: l.attempt,
      at: l.at.toISOString(),
      statusCode: l.statusCode,
      error: l.error,
      latencyMs: l.latencyMs,
      response: l.responseExcerpt,
    })),
  };
}
