/**
 * The events a webhook can subscribe to, and the body each is sent as: the Standard Webhooks
 * envelope `{ type, timestamp, data }` with `schemaVersion` (schemas/webhook-event.v1.json).
 * `ticket.dispatched` carries the same data as the `tickets` job, so a ticket system can take
 * tickets over HTTP alone.
 */
export const WEBHOOK_EVENTS = [
  'ticket.dispatched',
  'message.quarantined',
  'message.oversized',
  'account.failed',
  'account.parked',
  'account.recovered',
  'account.reauthorization_required',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** The data of the account.* events. */
export interface AccountEventData {
  accountId: number;
  type: string;
  host: string;
  username: string;
  consecutiveFailures: number;
  /** The last run's failure (none for account.recovered). */
  error: { class: string; code: string | null; message: string } | null;
  parkedReason: string | null;
}

/** The data of message.quarantined and message.oversized: the message, never its bytes. */
export interface MessageEventData {
  accountId: number;
  /** The stored message (quarantined), or null for mail left on the server (oversized). */
  messageId: number | null;
  /** The IMAP folder it was read in; null for POP3. */
  folder: string | null;
  size: number;
  subject: string | null;
  reason: string;
}

export function isWebhookEvent(type: string): type is WebhookEventType {
  return (WEBHOOK_EVENTS as readonly string[]).includes(type);
}

/** The exact bytes sent for an event (kept, so every retry and redelivery signs the same body). */
export function webhookEventBody(type: WebhookEventType, data: unknown, at: Date): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), schemaVersion: 1, data });
}

/**
 * The event's id (the `webhook-id` header, the receiver's idempotency key): the same for every
 * attempt and redelivery of one event, another for another event. `subject` names what it is
 * about: the message id for ticket.dispatched, the run id for account events.
 */
export function webhookEventId(type: WebhookEventType, subject: string | number): string {
  return `evt_${type.replace(/[._]/g, '-')}_${String(subject).replace(/[^A-Za-z0-9-]/g, '-')}`;
}

/** A run's account events with their ids: known by the account and the run, so published once. */
export function accountEventsOfRun(runId: number, types: readonly WebhookEventType[], data: AccountEventData) {
  return types.map((type) => ({ type, id: webhookEventId(type, `${data.accountId}-${runId}`), data }));
}
