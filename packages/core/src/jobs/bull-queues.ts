import { Queue } from 'bullmq';
import type { RedisClient } from '../redis/connection.js';
import { QUEUE_NAMES } from './job-catalogue.js';

type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/**
 * The BullMQ key prefix of one queue. On one server (or a Sentinel primary) it is the prefix
 * itself: keys stay `<prefix>:<queue>:…`, so an upgrade finds the jobs already queued. On a
 * Redis Cluster BullMQ's Lua scripts need every key of a queue in one hash slot, and mailduct
 * uses no flows across queues, so each queue gets its own tag — `{<prefix>:<queue>}:<queue>:…` —
 * and the queues spread over the primaries. A prefix that already holds a tag is kept as given.
 */
export function bullPrefix(prefix: string, queue: QueueName, cluster: boolean): string {
  if (!cluster || /\{[^}]+\}/.test(prefix)) return prefix;
  return `{${prefix}:${queue}}`;
}

/** The `connection` and `prefix` options of a Queue, Worker or QueueEvents of `queue`. */
export function queueOptions(connection: RedisClient, prefix: string, queue: QueueName) {
  return { connection, prefix: bullPrefix(prefix, queue, connection.isCluster) };
}

/** The BullMQ queues over one connection. Close them, then quit the connection yourself. */
export interface MailductQueues {
  fetch: Queue;
  tickets: Queue;
  webhooks: Queue;
  close(): Promise<void>;
}

/** Open the `fetch`, `tickets` and `webhooks` queues under the key prefix. */
export function openQueues(connection: RedisClient, prefix: string): MailductQueues {
  const open = (name: QueueName) => new Queue(name, queueOptions(connection, prefix, name));
  const fetch = open(QUEUE_NAMES.fetch);
  const tickets = open(QUEUE_NAMES.tickets);
  const webhooks = open(QUEUE_NAMES.webhooks);
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
