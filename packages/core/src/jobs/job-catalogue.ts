import { MailductError } from '../errors/index.js';
import type { FetchJobData, FetchTrigger } from './fetch-job.js';

const DAY = 24 * 3600;

/**
 * Every BullMQ job mailduct adds or consumes: its queue, name, attempts, how long finished jobs
 * stay, and how its payload is checked when a mailduct worker takes it. Payloads carry ids, never credentials.
 * Keys live under MAILDUCT_QUEUE_PREFIX: `<prefix>:<queue>:…` (BullMQ's own layout), on a Redis
 * Cluster `{<prefix>:<queue>}:<queue>:…` (bullPrefix in bull-queues.ts).
 */
export const JOBS = {
  /**
   * One account's fetch run. The scheduler keeps one repeatable job per valid account; fetch-now
   * and the CLI add one-off ones. One attempt: the schedule repeats anyway.
   */
  fetchAccount: {
    queue: 'fetch',
    name: 'fetch.account',
    attempts: 1,
    removeOnComplete: { count: 5000, age: 7 * DAY },
    removeOnFail: { count: 5000, age: 7 * DAY },
    /** Fetch-now jobs: kept a day (the API shows them at /api/v1/fetch-jobs/:id), failures a week. */
    manual: { removeOnComplete: { age: DAY }, removeOnFail: { age: 7 * DAY } },
    parse: parseFetchJobData,
  },
  /**
   * A dispatched ticket for the ticket system (payload: schemas/ticket-dispatched.v1.json). The job
   * id is `msg-<messageId>`: adding it again while the first is kept is a no-op.
   */
  ticketDispatched: {
    queue: 'tickets',
    name: 'ticket.dispatched',
    attempts: 10,
    backoff: { type: 'exponential', delay: 5000 },
    removeOnComplete: { age: 7 * DAY },
    removeOnFail: { age: 28 * DAY },
    // Consumed by the ticket system, not by mailduct: its payload is built by
    // buildTicketPayload (TicketPayloadV1) and described by the JSON Schema above.
  },
  /**
   * One attempt to deliver one webhook event (a webhook_delivery row, which holds the body and
   * the state: PostgreSQL, not the job, is the truth). Retries are new jobs, delayed by the
   * delivery policy, with the attempt in the id: `wd-<deliveryId>-<attempt>`.
   */
  webhookDelivery: {
    queue: 'webhooks',
    name: 'webhook.deliver',
    attempts: 1,
    removeOnComplete: { count: 10_000, age: DAY },
    removeOnFail: { count: 10_000, age: 7 * DAY },
    parse: parseWebhookJobData,
  },
} as const;

/** The BullMQ queues mailduct uses. */
export const QUEUE_NAMES = {
  fetch: JOBS.fetchAccount.queue,
  tickets: JOBS.ticketDispatched.queue,
  webhooks: JOBS.webhookDelivery.queue,
} as const;

/** A webhook delivery job's data: the delivery row's id (a decimal string: it is a bigint). */
export interface WebhookJobData {
  deliveryId: string;
}

/** The job id of attempt `attempt` (1 = the first) of a delivery. */
export function webhookJobId(deliveryId: bigint | string, attempt: number): string {
  return `wd-${deliveryId}-${attempt}`;
}

/** Attempt `attempt` of a delivery as a job to add (`delayMs` from now), with the catalogue's options. */
export function webhookJob(deliveryId: bigint, attempt: number, delayMs = 0) {
  const j = JOBS.webhookDelivery;
  return {
    name: j.name,
    data: { deliveryId: String(deliveryId) } satisfies WebhookJobData,
    opts: {
      jobId: webhookJobId(deliveryId, attempt),
      delay: delayMs,
      attempts: j.attempts,
      removeOnComplete: j.removeOnComplete,
      removeOnFail: j.removeOnFail,
    },
  };
}

/** A webhook job's data as the worker takes it; anything else is refused. */
export function parseWebhookJobData(data: unknown): WebhookJobData {
  const id = (data as { deliveryId?: unknown } | null)?.deliveryId;
  if (typeof id !== 'string' || !/^[1-9]\d{0,18}$/.test(id))
    throw new MailductError(
      'VALIDATION_FAILED',
      'webhook job data is not valid: deliveryId must be a positive integer as text',
    );
  return { deliveryId: id };
}

/** BullMQ refuses integer-like ids and ids containing ':'; `msg-<id>` is neither. */
export function ticketJobId(messageId: number): string {
  return `msg-${messageId}`;
}

/** The message id of a ticket job id, or null for any other id. */
export function messageIdOfTicketJob(jobId: string): number | null {
  const id = /^msg-(\d{1,15})$/.exec(jobId)?.[1];
  return id ? Number(id) : null;
}

/** The job scheduler id of an account (scheduler ids may contain ':'). */
export function schedulerId(accountId: number): string {
  return `account:${accountId}`;
}

const TRIGGERS: readonly FetchTrigger[] = ['schedule', 'manual', 'cli', 'push'];

/** A fetch job's data as a worker takes it; a job someone else added with other data is refused. */
export function parseFetchJobData(data: unknown): FetchJobData {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (!Number.isSafeInteger(d.accountId) || (d.accountId as number) < 1)
    problems.push('accountId must be a positive integer');
  if (!TRIGGERS.includes(d.trigger as FetchTrigger)) problems.push(`trigger must be one of ${TRIGGERS.join(', ')}`);
  if (d.limit !== undefined && (!Number.isSafeInteger(d.limit) || (d.limit as number) < 1))
    problems.push('limit must be a positive integer when given');
  if (d.notifiedAt !== undefined && (!Number.isSafeInteger(d.notifiedAt) || (d.notifiedAt as number) < 1))
    problems.push('notifiedAt must be a time in milliseconds when given');
  if (problems.length > 0)
    throw new MailductError('VALIDATION_FAILED', `fetch job data is not valid: ${problems.join('; ')}`);
  return {
    accountId: d.accountId as number,
    trigger: d.trigger as FetchTrigger,
    ...(d.limit === undefined ? {} : { limit: d.limit as number }),
    ...(d.notifiedAt === undefined ? {} : { notifiedAt: d.notifiedAt as number }),
  };
}
