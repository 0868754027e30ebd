import type pg from 'pg';
import type { Config } from '../config/index.js';
import { SecretBox } from '../crypto/index.js';
import { createPgPool, createPrisma, type PrismaClient } from '../db/index.js';
import { openQueues, type MailductQueues } from '../jobs/index.js';
import { MailHostPolicy } from '../mail/index.js';
import { AccessTokens } from '../oauth2/index.js';
import { createRedis, type RedisClient } from '../redis/index.js';

/**
 * The connections and shared objects of one process, made once and handed to every component it
 * runs (api, scheduler, fetcher, CLI commands): `mailduct start` with all three shares one Prisma
 * client, one pg pool and a few named Redis connections. Each part is made when first used, so a
 * CLI command that only needs PostgreSQL opens no Redis connection. `close()` releases what was made.
 */
export interface Infrastructure {
  readonly config: Readonly<Config>;
  /** Prisma: accounts, queues, addresses, runs, audit. */
  readonly prisma: PrismaClient;
  /** Plain pg for the hot path (raw-mail COPY, outcomes, page reads, outbox), where Prisma costs too much. */
  readonly pool: pg.Pool;
  /** Fails a command fast while Redis is down: API requests never hang on it. */
  readonly redis: RedisClient;
  /** Retries commands until Redis is back: background work (scheduler, fetcher, housekeeping). */
  readonly workerRedis: RedisClient;
  /** The queues over `redis` (fetch-now, Bull Board, health). */
  readonly queues: MailductQueues;
  /** The queues over `workerRedis` (schedules, ticket jobs, the outbox sweep). */
  readonly workerQueues: MailductQueues;
  readonly secrets: SecretBox;
  readonly hostPolicy: MailHostPolicy;
  /** OAuth2 accounts' access tokens: one refresh for all processes, the rotated refresh token stored. */
  readonly accessTokens: AccessTokens;
  /** A connection of its own, for a subscriber or a blocking reader (BullMQ Worker, QueueEvents). */
  dedicatedRedis(name: string): RedisClient;
  close(): Promise<void>;
}

export interface InfrastructureOptions {
  /** Connections of the pg pool (default 8); see poolSizeFor(). */
  poolSize?: number;
  /** The process's name in Redis CLIENT LIST (default `mailduct`). */
  name?: string;
}

/** pg connections a process needs for the components it runs. */
export function poolSizeFor(components: {
  api?: boolean;
  scheduler?: boolean;
  fetcher?: boolean;
  webhooks?: boolean;
}): number {
  const n = components.api ? 8 : 0;
  return n + (components.fetcher ? 4 : 0) + (components.scheduler ? 2 : 0) + (components.webhooks ? 2 : 0) || 2;
}

export function createInfrastructure(config: Readonly<Config>, options: InfrastructureOptions = {}): Infrastructure {
  return new ProcessInfrastructure(config, options);
}

/** Each part is made on first use and remembered with how to release it. */
class ProcessInfrastructure implements Infrastructure {
  private readonly made = new Map<string, { value: unknown; close: () => Promise<void> | void }>();
  private readonly name: string;

  constructor(
    readonly config: Readonly<Config>,
    private readonly options: InfrastructureOptions,
  ) {
    this.name = options.name ?? 'mailduct';
  }

  get prisma(): PrismaClient {
    return this.once(
      'prisma',
      () => createPrisma(this.config.databaseUrl, this.config.dbQueryTimeoutMs),
      (p) => p.$disconnect(),
    );
  }

  get pool(): pg.Pool {
    const { databaseUrl, dbQueryTimeoutMs } = this.config;
    return this.once(
      'pool',
      () => createPgPool(databaseUrl, this.options.poolSize ?? 8, dbQueryTimeoutMs),
      (p) => p.end(),
    );
  }

  get redis(): RedisClient {
    return this.once(
      'redis',
      () => createRedis(this.config.redisUrl, { name: this.name }),
      (r) => r.disconnect(),
    );
  }

  get workerRedis(): RedisClient {
    const make = () => createRedis(this.config.redisUrl, { name: `${this.name}-worker`, forWorker: true });
    return this.once('workerRedis', make, (r) => r.disconnect());
  }

  get queues(): MailductQueues {
    return this.once(
      'queues',
      () => openQueues(this.redis, this.config.queuePrefix),
      (q) => q.close(),
    );
  }

  get workerQueues(): MailductQueues {
    return this.once(
      'workerQueues',
      () => openQueues(this.workerRedis, this.config.queuePrefix),
      (q) => q.close(),
    );
  }

  get secrets(): SecretBox {
    return this.once(
      'secrets',
      () => new SecretBox(this.config.secretKey, this.config.oldSecretKeys),
      () => {},
    );
  }

  get hostPolicy(): MailHostPolicy {
    const { allowedMailHosts, deniedMailHosts } = this.config;
    return this.once(
      'hostPolicy',
      () => new MailHostPolicy(allowedMailHosts, deniedMailHosts),
      () => {},
    );
  }

  get accessTokens(): AccessTokens {
    const make = () =>
      new AccessTokens({
        prisma: this.prisma,
        secrets: this.secrets,
        redis: this.redis,
        prefix: this.config.queuePrefix,
        client: { allowHttp: this.config.oauth2AllowHttp, hostPolicy: this.hostPolicy },
      });
    return this.once('accessTokens', make, () => {});
  }

  dedicatedRedis(connectionName: string): RedisClient {
    const redis = createRedis(this.config.redisUrl, { name: `${this.name}-${connectionName}`, forWorker: true });
    this.made.set(`dedicated:${this.made.size}`, { value: redis, close: () => redis.disconnect() });
    return redis;
  }

  /** Release in the reverse order of making: queues before their connections. */
  async close(): Promise<void> {
    const parts = [...this.made.values()].reverse();
    this.made.clear();
    for (const part of parts) await Promise.resolve(part.close()).catch(() => undefined);
  }

  private once<T>(key: string, make: () => T, close: (value: T) => Promise<void> | void): T {
    const existing = this.made.get(key);
    if (existing) return existing.value as T;
    const value = make();
    this.made.set(key, { value, close: () => close(value) });
    return value;
  }
}
