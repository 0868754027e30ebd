import type { HostBudget } from '@mailduct/core/fetch';
import type { Infrastructure } from '@mailduct/core/infrastructure';
import { enqueuePushFetch } from '@mailduct/core/jobs';
import type { Logger } from '@mailduct/core/log';
import { AccountWatcher, WatchLeases, WatchManager } from '@mailduct/core/push';
import { redisKeys } from '@mailduct/core/redis';

/** A watch lease lives this long unless renewed: a dead process's accounts are taken over after it. */
const WATCH_LEASE_MS = 15_000;
const ROUND_MS = 2_000;

/** The fetcher's IMAP IDLE watchers (none with MAILDUCT_WATCHERS_PER_PROCESS=0). */
export function startWatchers(infra: Infrastructure, logger: Logger, budget: HostBudget): { close(): Promise<void> } {
  const { config } = infra;
  if (config.watchersPerProcess === 0) return { close: async () => undefined };
  const queue = infra.workerQueues.fetch;
  const manager = new WatchManager({
    prisma: infra.prisma,
    leases: new WatchLeases(infra.workerRedis, config.queuePrefix, WATCH_LEASE_MS),
    maxWatchers: config.watchersPerProcess,
    intervalMs: ROUND_MS,
    logger,
    budget,
    watcherFor: (row) =>
      new AccountWatcher(row, {
        secrets: infra.secrets,
        tokens: infra.accessTokens,
        clientOptions: {
          extraCa: config.extraCa,
          maxMessageBytes: config.maxMessageBytes,
          hostPolicy: infra.hostPolicy,
        },
        idleRestartMs: config.idleRestartSeconds * 1000,
        budget,
        sessionsPerMailbox: config.sessionsPerMailbox,
        onReconnect: () =>
          void infra.workerRedis.incr(redisKeys.pushReconnects(config.queuePrefix)).catch(() => undefined),
        onNew: (accountId) =>
          void enqueuePushFetch(queue, accountId).catch((err: Error) =>
            logger.warn({ accountId, err: err.message }, 'push watcher: cannot enqueue the fetch'),
          ),
      }),
  });
  manager.start();
  return manager;
}
