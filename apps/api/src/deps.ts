import {
  AccountDirectory,
  AccountReadRepository,
  AccountService,
  pgDirectorySource,
  type AccountChange,
} from '@mailduct/core/accounts';
import { AttemptLimiter, SessionStore, TokenService } from '@mailduct/core/auth';
import type { Config } from '@mailduct/core/config';
import type { PrismaClient } from '@mailduct/core/db';
import { announceAccountChange, readAccountVersion } from '@mailduct/core/events';
import { ProbeService, RoutingLoader } from '@mailduct/core/fetch';
import { BullTicketPublisher, type MailductQueues } from '@mailduct/core/jobs';
import type { Infrastructure } from '@mailduct/core/infrastructure';
import type { Logger } from '@mailduct/core/log';
import { MessageService } from '@mailduct/core/messages';
import { MetricRepository } from '@mailduct/core/metrics';
import { type AccessTokens, AuthorizationFlow, ProviderService } from '@mailduct/core/oauth2';
import { AddressService, QueueService } from '@mailduct/core/queues';
import type { RedisClient } from '@mailduct/core/redis';
import { PgMessageStore } from '@mailduct/core/store';
import { WatchLeases } from '@mailduct/core/push';
import { WebhookService } from '@mailduct/core/webhooks';

/** Everything the API needs; tests build it against their own database and Redis prefix. */
export interface ApiDeps {
  config: Readonly<Config>;
  logger: Logger;
  prisma: PrismaClient;
  redis: RedisClient;
  queues: MailductQueues;
  /** OAuth2 accounts' access tokens (the fetchers' too: one refresh for all). */
  tokens: AccessTokens;
  services: ApiServices;
}

export interface ApiServices {
  accounts: AccountService;
  queues: QueueService;
  addresses: AddressService;
  tokens: TokenService;
  messages: MessageService;
  probes: ProbeService;
  providers: ProviderService;
  oauth2: AuthorizationFlow;
  sessions: SessionStore;
  metrics: MetricRepository;
  webhooks: WebhookService;
  /** Who watches the push accounts (read only: the fetchers hold the leases). */
  watchers: WatchLeases;
  /** Sign-in attempts (10 a minute per client) and failed bearer tokens (30 a minute per client). */
  limits: { signIn: AttemptLimiter; badTokens: AttemptLimiter };
}

/** The API's services over the process's connections; `infra.close()` releases them. */
export function createApiDeps(infra: Infrastructure, logger: Logger): ApiDeps {
  const { config, prisma, pool, redis, queues, secrets } = infra;
  const routing = new RoutingLoader(prisma, config.defaultQueue);
  const services: ApiServices = {
    accounts: accountService(infra, logger),
    queues: new QueueService(prisma, config.defaultQueue),
    addresses: new AddressService(prisma),
    tokens: new TokenService(prisma, config.adminToken),
    messages: new MessageService({
      prisma,
      store: new PgMessageStore(pool),
      routing,
      publisher: new BullTicketPublisher(queues.tickets, config.ticketKeepHours),
    }),
    sessions: new SessionStore(redis, config.queuePrefix),
    probes: new ProbeService({
      prisma,
      secrets,
      tokens: infra.accessTokens,
      routing,
      extraCa: config.extraCa,
      maxMessageBytes: config.maxMessageBytes,
      hostPolicy: infra.hostPolicy,
    }),
    metrics: new MetricRepository(pool, config.metricsPerAccount),
    watchers: new WatchLeases(redis, config.queuePrefix, 0),
    webhooks: new WebhookService(prisma, secrets, queues.webhooks, { allowHttp: config.webhookAllowHttp }),
    providers: new ProviderService(prisma, secrets, { allowHttp: config.oauth2AllowHttp }),
    oauth2: new AuthorizationFlow({
      prisma,
      redis,
      prefix: config.queuePrefix,
      tokens: infra.accessTokens,
      onAuthorized: (accountId) => announce(infra, logger, { accountId, kind: 'updated' }),
    }),
    limits: {
      signIn: new AttemptLimiter(redis, config.queuePrefix, 'sign-in', 10, 60),
      badTokens: new AttemptLimiter(redis, config.queuePrefix, 'bad-token', 30, 60),
    },
  };
  return { config, logger, prisma, redis, queues, tokens: infra.accessTokens, services };
}

/** Accounts, whose changes are announced to the scheduler and to every process's account list. */
function accountService(infra: Infrastructure, logger: Logger): AccountService {
  const { config, prisma, pool, redis, secrets } = infra;
  const directory = new AccountDirectory(pgDirectorySource(pool, () => readAccountVersion(redis, config.queuePrefix)));
  return new AccountService({
    prisma,
    secrets,
    directory,
    reads: new AccountReadRepository(pool),
    defaults: { pollIntervalSeconds: config.pollIntervalSeconds },
    onChange: (change) => announce(infra, logger, change),
  });
}

/** Tell the scheduler and every process's account list; a failure only delays it to the next reconcile. */
async function announce(infra: Infrastructure, logger: Logger, change: AccountChange): Promise<void> {
  try {
    await announceAccountChange(infra.redis, infra.config.queuePrefix, change);
  } catch (err) {
    const text = 'account change not announced; the scheduler will pick it up on its next reconcile';
    logger.warn({ err, accountId: change.accountId }, text);
  }
}
