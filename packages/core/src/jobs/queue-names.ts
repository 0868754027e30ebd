/** The BullMQ queues mailduct uses. Keys live under MAILDUCT_QUEUE_PREFIX. */
export const QUEUE_NAMES = {
  /** One repeatable job per valid account (scheduler) and fetch-now jobs (API); fetchers consume. */
  fetch: 'fetch',
  /** Dispatched tickets for the ticket system. */
  tickets: 'tickets',
} as const;

/** Job names. */
export const JOB_NAMES = {
  fetchAccount: 'fetch.account',
  ticketDispatched: 'ticket.dispatched',
} as const;

/** BullMQ refuses integer-like ids and ids containing ':'; `msg-<id>` is neither. */
export function ticketJobId(messageId: number): string {
  return `msg-${messageId}`;
}

/** The job scheduler id of an account (scheduler ids may contain ':'). */
export function schedulerId(accountId: number): string {
  return `account:${accountId}`;
}
