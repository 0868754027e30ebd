import type { Config } from '@mailduct/core/config';
import type { Logger } from '@mailduct/core/log';
import { buildApp } from './app.js';
import { createApiDeps } from './deps.js';

/** A running API: its address and how to stop it. */
export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Connect, build and listen on config.host:config.port. */
export async function startApi(config: Readonly<Config>, logger: Logger): Promise<RunningApi> {
  const deps = createApiDeps(config, logger);
  const app = await buildApp(deps);
  const address = await app.listen({ host: config.host, port: config.port });
  logger.info({ address }, 'api listening');
  return {
    url: address,
    async close() {
      await app.close();
      await deps.close();
    },
  };
}
