import type { Config } from '@mailduct/core/config';
import { createPrisma } from '@mailduct/core/db';
import { accountChangeChannel, parseAccountChange } from '@mailduct/core/events';
import { openQueues } from '@mailduct/core/jobs';
import type { Logger } from '@mailduct/core/log';
import { createRedis } from '@mailduct/core/redis';
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
  config: Readonly<Config>,
  logger: Logger,
  options: { reconcileMs?: number } = {},
): Promise<RunningScheduler> {
  const prisma = createPrisma(config.databaseUrl, config.dbQueryTimeoutMs);
  const redis = createRedis(config.redisUrl, { forWorker: true, name: 'mailduct-scheduler' });
  const subscriber = createRedis(config.redisUrl, { forWorker: true, name: 'mailduct-scheduler-sub' });
  const queues = openQueues(redis, config.queuePrefix);
  const scheduler = new AccountScheduler(prisma, new SchedulerStore(queues.fetch), logger);
  const housekeeping = startHousekeeping(config, logger, queues);
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const serially = (task: () => Promise<unknown>) =>
    (running = running.then(task).catch((err) => logger.warn({ err }, 'scheduler task failed')));

  await subscriber.subscribe(accountChangeChannel(config.queuePrefix));
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
      await queues.close();
      redis.disconnect();
      await prisma.$disconnect();
    },
  };
}
