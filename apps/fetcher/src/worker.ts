import { setMaxListeners } from 'node:events';
import { Worker } from 'bullmq';
import { HostBudget, type FetchServiceDeps } from '@mailduct/core/fetch';
import { enqueuePushFetch, JOBS, queueOptions, type FetchJobData } from '@mailduct/core/jobs';
import type { Logger } from '@mailduct/core/log';
import type { Infrastructure } from '@mailduct/core/infrastructure';
import { processFetchJob } from './process-fetch-job.js';
import { createFetchRuntime } from './runtime.js';
import { startWatchers } from './watchers.js';

/** A running fetcher: its runtime and how to stop it. */
export interface RunningFetcher {
  close(): Promise<void>;
}

const GRACE_MS = 20_000;
const HARD_LIMIT_MS = 28_000;

/**
 * A BullMQ Worker on `fetch` with MAILDUCT_FETCH_CONCURRENCY. Any number may run, on any number
 * of machines: the per-account lock keeps each mailbox to one session at a time. `close()`
 * stops taking jobs, lets runs finish their current batch and commit, drops connections after
 * 20 s, releases locks and returns within 30 s.
 */
export async function startFetcher(
  infra: Infrastructure,
  logger: Logger,
  overrides: Partial<FetchServiceDeps> = {},
): Promise<RunningFetcher> {
  const { config } = infra;
  const runtime = createFetchRuntime(infra, logger, overrides);
  const stop = new AbortController();
  const interrupt = new AbortController();
  // Every run in flight (up to MAILDUCT_FETCH_CONCURRENCY) listens on these two signals.
  setMaxListeners(0, stop.signal, interrupt.signal);
  const connection = infra.dedicatedRedis('fetch-worker');
  // Fetch sessions and push watchers share the per-host connections.
  const budget = new HostBudget(config.maxConnectionsPerHost);
  const worker = new Worker<FetchJobData>(
    JOBS.fetchAccount.queue,
    processFetchJob({
      prisma: infra.prisma,
      service: runtime.service,
      budget,
      stop: stop.signal,
      interrupt: interrupt.signal,
      // A pushed run that found the account locked (a run already under way, which may have listed
      // before the new mail): once more, a second later.
      requeuePush: (accountId) => enqueuePushFetch(infra.workerQueues.fetch, accountId, 1000),
    }),
    {
      ...queueOptions(connection, config.queuePrefix, JOBS.fetchAccount.queue),
      concurrency: config.fetchConcurrency,
      removeOnComplete: JOBS.fetchAccount.removeOnComplete,
      removeOnFail: JOBS.fetchAccount.removeOnFail,
      lockDuration: 60_000,
    },
  );
  worker.on('error', (err) => logger.error({ err }, 'fetch worker error'));
  worker.on('failed', (job, err) =>
    logger.warn({ jobId: job?.id, accountId: job?.data.accountId, err: err.message }, 'fetch job failed'),
  );
  // Open the store's connections now rather than in the first run; a database that is not there
  // yet fails that run as a storage error, not the start of the process.
  await Promise.all([
    worker.waitUntilReady(),
    runtime.ready().catch((err: Error) => logger.warn({ err: err.message }, 'PostgreSQL or Redis not ready yet')),
  ]);
  const watchers = startWatchers(infra, logger, budget);
  logger.info({ concurrency: config.fetchConcurrency, watchers: config.watchersPerProcess }, 'fetcher ready');
  return {
    async close() {
      stop.abort(new Error('shutting down'));
      const watchersClosed = watchers.close();
      const grace = setTimeout(() => interrupt.abort(new Error('shutting down')), GRACE_MS);
      const closed = worker.close();
      await Promise.race([closed, new Promise((r) => setTimeout(r, HARD_LIMIT_MS).unref())]);
      clearTimeout(grace);
      await worker.close(true).catch(() => undefined);
      await watchersClosed;
      connection.disconnect();
    },
  };
}
