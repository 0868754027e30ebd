import type { Config } from '@mailduct/core/config';
import { createInfrastructure, poolSizeFor } from '@mailduct/core/infrastructure';
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
  webhooks?: boolean;
}

/**
 * `mailduct start`: run the chosen components in this process until SIGTERM/SIGINT, then stop
 * them in reverse order (the fetcher first finishes or abandons its current message). Only the
 * chosen components' modules are loaded: a fetcher replica does not load Fastify and the admin UI.
 */
export async function start(config: Readonly<Config>, flags: StartFlags): Promise<number> {
  const all = !flags.api && !flags.scheduler && !flags.fetcher && !flags.webhooks;
  const components = {
    api: all || flags.api,
    scheduler: all || flags.scheduler,
    fetcher: all || flags.fetcher,
    webhooks: all || flags.webhooks,
  };
  const logger = createLogger({ level: config.logLevel, name: 'mailduct' });
  // One set of connections for every component this process runs.
  const infra = createInfrastructure(config, { poolSize: poolSizeFor(components) });
  const running: Running[] = [{ name: 'connections', close: () => infra.close() }];
  try {
    if (components.api) {
      const { startApi } = await import('@mailduct/api');
      running.push({ name: 'api', ...(await startApi(infra, logger.child({ component: 'api' }))) });
    }
    if (components.scheduler) {
      const { startScheduler } = await import('@mailduct/scheduler');
      running.push({ name: 'scheduler', ...(await startScheduler(infra, logger.child({ component: 'scheduler' }))) });
    }
    if (components.fetcher) {
      const { startFetcher } = await import('@mailduct/fetcher');
      running.push({ name: 'fetcher', ...(await startFetcher(infra, logger.child({ component: 'fetcher' }))) });
    }
    if (components.webhooks) {
      const { startWebhooks } = await import('@mailduct/webhooks');
      running.push({ name: 'webhooks', ...(await startWebhooks(infra, logger.child({ component: 'webhooks' }))) });
    }
  } catch (err) {
    logger.fatal({ err }, 'start failed');
    await stopAll(running);
    return 1;
  }
  logger.info({ components: running.slice(1).map((r) => r.name) }, 'mailduct started');
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
