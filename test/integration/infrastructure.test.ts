import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '@mailduct/api';
import { createInfrastructure } from '@mailduct/core/infrastructure';
import { JOBS } from '@mailduct/core/jobs';
import { createLogger } from '@mailduct/core/log';
import { startFetcher } from '@mailduct/fetcher';
import { startScheduler } from '@mailduct/scheduler';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { waitFor } from '../helpers/processes.js';

let ctx: TestContext;
let probe: Redis;

beforeAll(async () => {
  ctx = await createTestContext();
  probe = new Redis(ctx.config.redisUrl);
});
afterAll(async () => {
  probe.disconnect();
  await ctx?.drop();
});

/** The names of the Redis connections whose name starts with `name`. */
async function redisClients(name: string): Promise<string[]> {
  const list = (await probe.client('LIST')) as string;
  return list
    .split('\n')
    .map((line) => /\bname=(\S*)/.exec(line)?.[1] ?? '')
    .filter((n) => n.startsWith(name));
}

/** Connections to the test database other than the probe's own. */
async function databaseConnections(): Promise<number> {
  const client = new pg.Client({ connectionString: ctx.databaseUrl });
  await client.connect();
  try {
    const res = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return Number(res.rows[0]!.n);
  } finally {
    await client.end();
  }
}

describe('createInfrastructure', () => {
  it('opens only what is used: PostgreSQL work opens no Redis connection', async () => {
    const name = `infra-pg-only-${ctx.prefix}`;
    const infra = createInfrastructure(ctx.config, { name });
    await infra.prisma.queue.count();
    expect(await redisClients(name)).toEqual([]);
    await infra.close();
  });

  it('api, scheduler and fetcher in one process share one set of connections, all closed at the end', async () => {
    const name = `infra-all-${ctx.prefix}`;
    const infra = createInfrastructure(ctx.config, { name, poolSize: 4 });
    const logger = createLogger({ level: 'silent' });
    const api = await startApi(infra, logger);
    const scheduler = await startScheduler(infra, logger);
    const fetcher = await startFetcher(infra, logger);
    await fetch(`${api.url}/health/ready`);

    const clients = await redisClients(name);
    // One fail-fast and one retrying command connection, and a dedicated one per blocking reader
    // (fetch worker, account-change subscriber, ticket events) plus what BullMQ duplicates for them.
    expect(clients.filter((c) => c === name)).toHaveLength(1);
    expect(clients.filter((c) => c === `${name}-worker`)).toHaveLength(1);
    expect(clients.length).toBeLessThanOrEqual(8);
    // One Prisma pool (at most pg's default of 10) and the shared pool of 4.
    expect(await databaseConnections()).toBeLessThanOrEqual(14);

    await fetcher.close();
    await scheduler.close();
    await api.close();
    await infra.close();
    await waitFor('Redis connections closed', async () => (await redisClients(name)).length === 0, 5000);
    await waitFor('PostgreSQL connections closed', async () => (await databaseConnections()) === 0, 5000);
  });

  it('a fetch job whose data is not a fetch job fails without a retry, and the worker goes on', async () => {
    const infra = createInfrastructure(ctx.config, { name: `infra-bad-job-${ctx.prefix}` });
    const fetcher = await startFetcher(infra, createLogger({ level: 'silent' }));
    try {
      const queue = infra.workerQueues.fetch;
      const bad = await queue.add(JOBS.fetchAccount.name, { accountId: 'DROP TABLE', trigger: 'schedule' });
      await waitFor('the bad job failed', async () => (await queue.getJobState(bad.id!)) === 'failed', 10_000);
      const failed = await queue.getJob(bad.id!);
      expect(failed!.failedReason).toMatch(/accountId must be a positive integer/);
      expect(failed!.attemptsMade).toBe(1);
      // A valid job for an account that does not exist still runs to an answer afterwards.
      const good = await queue.add(JOBS.fetchAccount.name, { accountId: 999_999, trigger: 'schedule' });
      await waitFor('the good job ran', async () => (await queue.getJobState(good.id!)) === 'completed', 10_000);
    } finally {
      await fetcher.close();
      await infra.close();
    }
  });
});
