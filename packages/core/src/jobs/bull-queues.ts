import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES } from './job-catalogue.js';

/** The BullMQ queues over one connection. Close them, then quit the connection yourself. */
export interface MailductQueues {
  fetch: Queue;
  tickets: Queue;
  webhooks: Queue;
  close(): Promise<void>;
}

/** Open the `fetch`, `tickets` and `webhooks` queues under the key prefix. */
export function openQueues(connection: Redis, prefix: string): MailductQueues {
  const fetch = new Queue(QUEUE_NAMES.fetch, { connection, prefix });
  const tickets = new Queue(QUEUE_NAMES.tickets, { connection, prefix });
  const webhooks = new Queue(QUEUE_NAMES.webhooks, { connection, prefix });
  // Queue errors (Redis down) surface on the calls that need Redis; don't crash on the event.
  for (const q of [fetch, tickets, webhooks]) q.on('error', () => {});
  return {
    fetch,
    tickets,
    webhooks,
    async close() {
      await Promise.all([fetch.close(), tickets.close(), webhooks.close()]);
    },
  };
}
