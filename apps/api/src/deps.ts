import { AccountDirectory, AccountReads, AccountService, prismaDirectorySource } from '@mailduct/core/accounts';
import { AttemptLimiter, SessionStore, TokenService } from '@mailduct/core/auth';
import type { Config } from '@mailduct/core/config';
import { SecretBox } from '@mailduct/core/crypto';
import { createPgPool, createPrisma, type PrismaClient } from '@mailduct/core/db';
import { announceAccountChange, readAccountVersion } from '@mailduct/core/events';
import { ProbeService, RoutingLoader } from '@mailduct/core/fetch';
import { BullTicketPublisher, openQueues, type MailductQueues } from '@mailduct/core/jobs';
import type { Logger } from '@mailduct/core/log';
import { MessageService } from '@mailduct/core/messages';
import { MetricReads } from '@mailduct/core/metrics';
import { AddressService, QueueService } from '@mailduct/core/queues';
import { createRedis, type Redis } from '@mailduct/core/redis';
import { PgMessageStore } from '@mailduct/core/store';
import { MailHostPolicy } from '@mailduct/core/mail';

/** Everything the API needs; tests build it against their own database and Redis prefix. */
export interface ApiDeps {
  config: Readonly<Config>;
  logger: Logger;
  prisma: PrismaClient;
  redis: Redis;
  queues: MailductQueues;
  services: ApiServices;
}

export interface ApiServices {
  accounts: AccountService;
  queues: QueueService;
  addresses: AddressService;
  tokens: TokenService;
  messages: MessageService;
  probes: ProbeService;
  sessions: SessionStore;
  metrics: MetricReads;
  /** Sign-in attempts (10 a minute per client) and failed bearer tokens (30 a minute per client). */
  limits: { signIn: AttemptLimiter; badTokens: AttemptLimiter };
}

/** Connect to PostgreSQL and Redis and build the services. `close()` releases both. */
export function createApiDeps(config: Readonly<Config>, logger: Logger): ApiDeps & { close(): Promise<void> } {
  const prisma = createPrisma(config.databaseUrl, config.dbQueryTimeoutMs);
  const redis = createRedis(config.redisUrl, { name: 'mailduct-api' });
  const pool = createPgPool(config.databaseUrl, 8, config.dbQueryTimeoutMs);
  const secrets = new SecretBox(config.secretKey, config.oldSecretKeys);
  const directory = new AccountDirectory(
    prismaDirectorySource(prisma, () => readAccountVersion(redis, config.queuePrefix)),
  );
  const accounts = new AccountService({
    prisma,
    secrets,
    directory,
    reads: new AccountReads(pool),
    defaults: { pollIntervalSeconds: config.pollIntervalSeconds },
    onChange: async (change) => {
      try {
        await announceAccountChange(redis, config.queuePrefix, change);
      } catch (err) {
        logger.warn(
          { err, accountId: change.accountId },
          'account change not announced; the scheduler will pick it up on its next reconcile',
        );
      }
    },
  });
  const queues = openQueues(redis, config.queuePrefix);
  const routing = new RoutingLoader(prisma, config.defaultQueue);
  const services = {
    accounts,
    queues: new QueueService(prisma, config.defaultQueue),
    addresses: new AddressService(prisma),
    tokens: new TokenService(prisma, config.adminToken),
    messages: new MessageService({
      prisma,
      store: new PgMessageStore(pool),
      routing,
      publisher: new BullTicketPublisher(queues.tickets),
    }),
    sessions: new SessionStore(redis, config.queuePrefix),
    probes: new ProbeService({
      prisma,
      secrets,
      routing,
      extraCa: config.extraCa,
      maxMessageBytes: config.maxMessageBytes,
      hostPolicy: new MailHostPolicy(config.allowedMailHosts, config.deniedMailHosts),
    }),
    metrics: new MetricReads(pool),
    limits: {
      signIn: new AttemptLimiter(redis, `${config.queuePrefix}:rate-limit:sign-in`, 10, 60),
      badTokens: new AttemptLimiter(redis, `${config.queuePrefix}:rate-limit:bad-token`, 30, 60),
    },
  };
  return {
    config,
    logger,
    prisma,
    redis,
    queues,
    services,
    async close() {
      await queues.close();
      redis.disconnect();
      await Promise.all([prisma.$disconnect(), pool.end()]);
    },
  };
}
