import type { Config } from '@mailduct/core/config';
import { createLogger } from '@mailduct/core/log';

/** A started component: how to stop it. */
interface Running {
  name: string;
  close(): Promise<void>;
}

export interface StartFlags {
  api?: boolean;
  scheduler?: boolean;
  fetcher?: boolean;
}

/**
 * `mailduct start`: run the chosen components in this process until SIGTERM/SIGINT, then stop
 * them in reverse order (the fetcher first finishes or abandons its current message). Only the
 * chosen components' modules are loaded: a fetcher replica does not load Fastify and the admin UI.
 */
export async function start(config: Readonly<Config>, flags: StartFlags): Promise<number> {
  const all = !flags.api && !flags.scheduler && !flags.fetcher;
  const logger = createLogger({ level: config.logLevel, name: 'mailduct' });
  const running: Running[] = [];
  try {
    if (all || flags.api) {
      const { startApi } = await import('@mailduct/api');
      running.push({ name: 'api', ...(await startApi(config, logger.child({ component: 'api' }))) });
    }
    if (all || flags.scheduler) {
      const { startScheduler } = await import('@mailduct/scheduler');
      running.push({ name: 'scheduler', ...(await startScheduler(config, logger.child({ component: 'scheduler' }))) });
    }
    if (all || flags.fetcher) {
      const { startFetcher } = await import('@mailduct/fetcher');
      running.push({ name: 'fetcher', ...(await startFetcher(config, logger.child({ component: 'fetcher' }))) });
    }
  } catch (err) {
    logger.fatal({ err }, 'start failed');
    await stopAll(running);
    return 1;
  }
  logger.info({ components: running.map((r) => r.name) }, 'mailduct started');
  await waitForSignal();
  logger.info('shutting down');
  await stopAll(running);
  return 0;
}

async function stopAll(running: Running[]): Promise<void> {
  for (const r of [...running].reverse()) {
    try {
      await r.close();
    } catch {
      // keep stopping the others
    }
  }
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
