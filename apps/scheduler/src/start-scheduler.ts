import { parseAccountChange } from '@mailduct/core/events';
import type { Infrastructure } from '@mailduct/core/infrastructure';
import type { Logger } from '@mailduct/core/log';
import { redisKeys } from '@mailduct/core/redis';
import { startHousekeeping, type Housekeeping } from './housekeeping.js';
import { AccountScheduler } from './scheduler.js';
import { SchedulerStore } from './scheduler-store.js';

export interface RunningScheduler {
  scheduler: AccountScheduler;
  housekeeping: Housekeeping;
  close(): Promise<void>;
}

/**
 * Run the scheduler: reconcile at start and every `reconcileMs` (default 60 s), and sync an
 * account as soon as the API announces a change to it (Redis pub/sub). A missed announcement is
 * healed by the next reconcile. Also runs the housekeeping (outbox sweep, raw-mail retention).
 */
export async function startScheduler(
  infra: Infrastructure,
  logger: Logger,
  options: { reconcileMs?: number } = {},
): Promise<RunningScheduler> {
  const { config } = infra;
  const subscriber = infra.dedicatedRedis('scheduler-sub');
  const scheduler = new AccountScheduler(infra.prisma, new SchedulerStore(infra.workerQueues.fetch), logger);
  const housekeeping = startHousekeeping(infra, logger);
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const serially = (task: () => Promise<unknown>) =>
    (running = running.then(task).catch((err) => logger.warn({ err }, 'scheduler task failed')));

  await subscriber.subscribe(redisKeys.accountChanges(config.queuePrefix));
  subscriber.on('message', (_channel, message) => {
    const change = parseAccountChange(message);
    if (change && !stopped) void serially(() => scheduler.syncAccount(change.accountId));
  });
  await serially(() => scheduler.reconcile());
  const timer = setInterval(() => void serially(() => scheduler.reconcile()), options.reconcileMs ?? 60_000);
  logger.info('scheduler ready');
  return {
    scheduler,
    housekeeping,
    async close() {
      stopped = true;
      clearInterval(timer);
      await running;
      await housekeeping.close();
      subscriber.disconnect();
    },
  };
}
