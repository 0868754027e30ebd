import type { Config } from '@mailduct/core/config';
import { SecretBox } from '@mailduct/core/crypto';
import { createPgPool, createPrisma, type PrismaClient } from '@mailduct/core/db';
import { announceAccountChange, lockSkipsKey } from '@mailduct/core/events';
import {
  FetchService,
  RoutingLoader,
  RunRecorder,
  STORE_CONNECTIONS_PER_RUN,
  type FetchServiceDeps,
} from '@mailduct/core/fetch';
import { BullTicketPublisher, openQueues, type MailductQueues } from '@mailduct/core/jobs';
import { AccountLocks } from '@mailduct/core/lock';
import { MailHostPolicy } from '@mailduct/core/mail';
import type { Logger } from '@mailduct/core/log';
import { createRedis, type Redis } from '@mailduct/core/redis';
import { PgMessageStore } from '@mailduct/core/store';

/** A FetchService with its connections. */
export interface FetchRuntime {
  service: FetchService;
  prisma: PrismaClient;
  redis: Redis;
  queues: MailductQueues;
  locks: AccountLocks;
  /**
   * Open the connections a run needs (PostgreSQL for the store, Redis for the ticket queue) and
   * check the database is migrated, before any mail server is touched; rejects with the reason.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Wire a FetchService from configuration; `overrides` replace parts (tests: hooks, client factory). */
export function createFetchRuntime(
  config: Readonly<Config>,
  logger: Logger,
  overrides: Partial<FetchServiceDeps> = {},
): FetchRuntime {
  const prisma = createPrisma(config.databaseUrl, config.dbQueryTimeoutMs);
  const pool = createPgPool(config.databaseUrl, 4, config.dbQueryTimeoutMs);
  const redis = createRedis(config.redisUrl, { name: 'mailduct-fetcher', forWorker: true });
  const queues = openQueues(redis, config.queuePrefix);
  const locks = new AccountLocks(redis, config.queuePrefix, config.lockTtlMs);
  const store = new PgMessageStore(pool);
  const service = new FetchService({
    prisma,
    secrets: new SecretBox(config.secretKey, config.oldSecretKeys),
    store,
    publisher: new BullTicketPublisher(queues.tickets),
    locks,
    routing: new RoutingLoader(prisma, config.defaultQueue),
    recorder: new RunRecorder(prisma, config.parkAfterAuthFailures),
    logger,
    settings: {
      maxMessageBytes: config.maxMessageBytes,
      fetchLimit: config.fetchLimit,
      fetchMemoryBytes: config.fetchMemoryBytes,
      extraCa: config.extraCa,
      hostPolicy: new MailHostPolicy(config.allowedMailHosts, config.deniedMailHosts),
    },
    onLockSkipped: async () => {
      await redis.incr(lockSkipsKey(config.queuePrefix)).catch(() => undefined);
    },
    onParked: async (accountId) => {
      logger.warn({ accountId }, 'account parked after repeated login failures');
      await announceAccountChange(redis, config.queuePrefix, { accountId, kind: 'updated' }).catch(() => undefined);
    },
    ...overrides,
  });
  return {
    service,
    prisma,
    redis,
    queues,
    locks,
    async ready() {
      await Promise.all([store.warm(STORE_CONNECTIONS_PER_RUN), queues.tickets.waitUntilReady()]);
    },
    async close() {
      await queues.close();
      redis.disconnect();
      await Promise.all([prisma.$disconnect(), pool.end()]);
    },
  };
}
