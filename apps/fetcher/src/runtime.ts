import { announceAccountChange } from '@mailduct/core/events';
import {
  FetchService,
  RoutingLoader,
  RunRecorder,
  STORE_CONNECTIONS_PER_RUN,
  type FetchServiceDeps,
} from '@mailduct/core/fetch';
import type { Infrastructure } from '@mailduct/core/infrastructure';
import { BullTicketPublisher } from '@mailduct/core/jobs';
import { AccountLocks } from '@mailduct/core/lock';
import type { Logger } from '@mailduct/core/log';
import { redisKeys } from '@mailduct/core/redis';
import { PgMessageStore } from '@mailduct/core/store';
import { NotificationRepository } from '@mailduct/core/notify';
import { accountEventsOfRun, DeliveryRepository, publishEvents } from '@mailduct/core/webhooks';

/** A FetchService on the process's connections. */
export interface FetchRuntime {
  service: FetchService;
  locks: AccountLocks;
  /**
   * Open the connections a run needs (PostgreSQL for the store, Redis for the ticket queue) and
   * check the database is migrated, before any mail server is touched; rejects with the reason.
   */
  ready(): Promise<void>;
}

/** Wire a FetchService; `overrides` replace parts (tests: hooks, client factory). */
export function createFetchRuntime(
  infra: Infrastructure,
  logger: Logger,
  overrides: Partial<FetchServiceDeps> = {},
): FetchRuntime {
  const { config, prisma, workerRedis: redis, workerQueues: queues } = infra;
  const locks = new AccountLocks(redis, config.queuePrefix, config.lockTtlMs);
  const store = new PgMessageStore(infra.pool);
  const webhooks = { repository: new DeliveryRepository(prisma, infra.pool), queue: queues.webhooks };
  // Account health by e-mail, when the operator set MAILDUCT_NOTIFY_TO (the webhooks role mails them).
  const notifications = config.notify ? new NotificationRepository(prisma) : null;
  const service = new FetchService({
    prisma,
    secrets: infra.secrets,
    tokens: infra.accessTokens,
    store,
    publisher: new BullTicketPublisher(queues.tickets, config.ticketKeepHours),
    locks,
    routing: new RoutingLoader(prisma, config.defaultQueue),
    recorder: new RunRecorder(prisma, config.parkAfterAuthFailures),
    logger,
    settings: {
      maxMessageBytes: config.maxMessageBytes,
      fetchLimit: config.fetchLimit,
      fetchMemoryBytes: config.fetchMemoryBytes,
      extraCa: config.extraCa,
      hostPolicy: infra.hostPolicy,
    },
    onLockSkipped: async () => {
      await redis.incr(redisKeys.lockSkips(config.queuePrefix)).catch(() => undefined);
    },
    onParked: async (accountId) => {
      logger.warn({ accountId }, 'account parked: its login keeps failing or its OAuth2 grant is gone');
      await announceAccountChange(redis, config.queuePrefix, { accountId, kind: 'updated' }).catch(() => undefined);
    },
    onAccountEvents: async (runId, types, data) => {
      const events = accountEventsOfRun(runId, types, data);
      await publishEvents(webhooks, events);
      if (notifications) await notifications.record(events);
    },
    onMessageEvents: (events) => publishEvents(webhooks, events),
    ...overrides,
  });
  return {
    service,
    locks,
    async ready() {
      await Promise.all([store.warm(STORE_CONNECTIONS_PER_RUN), queues.tickets.waitUntilReady()]);
    },
  };
}
