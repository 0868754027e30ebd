import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';
import { registerErrorHandling } from './http/error-handler.js';
import { registerValidation } from './http/validation.js';
import cookie from '@fastify/cookie';
import auth from './plugins/auth.js';
import bullBoard from './plugins/bull-board.js';
import openapi from './plugins/openapi.js';
import services from './plugins/services.js';
import healthRoutes from './routes/health/index.js';
import fetchJobRoutes from './routes/fetch-jobs/index.js';
import mailAccountRoutes from './routes/mail-accounts/index.js';
import accountOperationRoutes from './routes/mail-accounts/operations.js';
import accountOAuth2Routes from './routes/mail-accounts/oauth2-routes.js';
import providerRoutes from './routes/oauth2-providers/index.js';
import webhookRoutes from './routes/webhooks/index.js';
import messageRoutes from './routes/messages/index.js';
import metricsRoutes from './routes/metrics/index.js';
import queueRoutes from './routes/queues/index.js';
import systemAddressRoutes from './routes/system-addresses/index.js';
import uiRoutes from './routes/ui/index.js';

/** Build the HTTP app (not listening). Tests call this with their own dependencies. */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Per-request info lines are noise at a thousand requests a second; kept at debug/trace.
    logController: new LogController({
      disableRequestLogging: deps.config.logLevel !== 'debug' && deps.config.logLevel !== 'trace',
    }),
    ajv: { customOptions: { allErrors: true } },
    // Behind a reverse proxy: the client's address (rate limits) and https (Secure cookie) come from it.
    trustProxy: trustProxyOption(deps.config.trustProxy),
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
  });
  registerValidation(app);
  registerErrorHandling(app);
  await app.register(services, { deps });
  await app.register(cookie);
  await app.register(auth);
  await app.register(openapi);
  await app.register(healthRoutes, { prefix: '/health' });
  await app.register(metricsRoutes);
  await app.register(
    async (api) => {
      api.addHook('onRequest', api.requireToken);
      await api.register(mailAccountRoutes, { prefix: '/mail-accounts' });
      await api.register(accountOperationRoutes, { prefix: '/mail-accounts' });
      await api.register(accountOAuth2Routes, { prefix: '/mail-accounts' });
      await api.register(fetchJobRoutes, { prefix: '/fetch-jobs' });
      await api.register(queueRoutes, { prefix: '/queues' });
      await api.register(systemAddressRoutes, { prefix: '/system-addresses' });
      await api.register(messageRoutes, { prefix: '/messages' });
      await api.register(providerRoutes, { prefix: '/oauth2-providers' });
      await api.register(webhookRoutes, { prefix: '/webhooks' });
    },
    { prefix: '/api/v1' },
  );
  await app.register(uiRoutes);
  await app.register(bullBoard);
  return app;
}

/** Fastify's trustProxy: a number of hops becomes "trust the first N". */
function trustProxyOption(
  v: boolean | number | string[],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof v === 'number' ? (_address: string, hop: number) => hop < v : v;
}
