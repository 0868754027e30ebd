import { createApiDeps, type ApiDeps } from '@mailduct/api';
import type { Config } from '@mailduct/core/config';
import type { FetchServiceDeps } from '@mailduct/core/fetch';
import { createInfrastructure, type Infrastructure } from '@mailduct/core/infrastructure';
import type { Logger } from '@mailduct/core/log';
import { createFetchRuntime, startFetcher, type FetchRuntime } from '@mailduct/fetcher';
import { startScheduler, type RunningScheduler } from '@mailduct/scheduler';

/** A component with connections of its own, as a separate process would have them. */
type Owned<T> = T & {
  infra: Infrastructure;
  prisma: Infrastructure['prisma'];
  redis: Infrastructure['workerRedis'];
  queues: Infrastructure['workerQueues'];
  close(): Promise<void>;
};

/** The component with its process's connections; its own connections (ApiDeps' redis) win. */
function owning<T extends object>(infra: Infrastructure, component: T, stop?: () => Promise<void>): Owned<T> {
  return {
    infra,
    prisma: infra.prisma,
    redis: infra.workerRedis,
    queues: infra.workerQueues,
    ...component,
    async close() {
      await stop?.();
      await infra.close();
    },
  };
}

/** A fetch runtime on its own connections (a fetcher process of its own). */
export function testFetchRuntime(
  config: Readonly<Config>,
  logger: Logger,
  overrides: Partial<FetchServiceDeps> = {},
): Owned<FetchRuntime> {
  const infra = createInfrastructure(config, { name: 'test-fetcher' });
  return owning(infra, createFetchRuntime(infra, logger, overrides));
}

/** A started fetcher worker on its own connections. */
export async function startTestFetcher(
  config: Readonly<Config>,
  logger: Logger,
  overrides: Partial<FetchServiceDeps> = {},
) {
  const infra = createInfrastructure(config, { name: 'test-fetcher' });
  const fetcher = await startFetcher(infra, logger, overrides);
  return owning(infra, {}, () => fetcher.close());
}

/** A started scheduler on its own connections. */
export async function startTestScheduler(
  config: Readonly<Config>,
  logger: Logger,
  options: { reconcileMs?: number } = {},
): Promise<Owned<Omit<RunningScheduler, 'close'>>> {
  const infra = createInfrastructure(config, { name: 'test-scheduler' });
  const { close, ...scheduler } = await startScheduler(infra, logger, options);
  return owning(infra, scheduler, close);
}

/** The API's services on their own connections (an API process of its own). */
export function testApiDeps(config: Readonly<Config>, logger: Logger): Owned<ApiDeps> {
  const infra = createInfrastructure(config, { name: 'test-api' });
  return owning(infra, createApiDeps(infra, logger));
}

export type TestFetchRuntime = ReturnType<typeof testFetchRuntime>;
export type TestFetcher = Awaited<ReturnType<typeof startTestFetcher>>;
export type TestScheduler = Awaited<ReturnType<typeof startTestScheduler>>;
export type TestApiDeps = ReturnType<typeof testApiDeps>;
