import type { Infrastructure } from '@mailduct/core/infrastructure';
import type { Logger } from '@mailduct/core/log';
import { buildApp } from './app.js';
import { createApiDeps } from './deps.js';

/** A running API: its address and how to stop it. */
export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Build the API on the process's connections and listen on config.host:config.port. */
export async function startApi(infra: Infrastructure, logger: Logger): Promise<RunningApi> {
  const { config } = infra;
  const deps = createApiDeps(infra, logger);
  const app = await buildApp(deps);
  const address = await app.listen({ host: config.host, port: config.port });
  logger.info({ address }, 'api listening');
  return {
    url: address,
    async close() {
      await app.close();
    },
  };
}
