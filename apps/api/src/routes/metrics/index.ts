import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { secretsEqual } from '@mailduct/core/crypto';
import { redisKeys } from '@mailduct/core/redis';
import { renderFetchMetrics } from '@mailduct/core/metrics';
import { bearerOf } from '../../plugins/auth.js';

/**
 * `/metrics` (Prometheus): per-account fetch counters and state, the run-duration histogram,
 * lock skips and queue depths — read from PostgreSQL and Redis at scrape time, so one scrape of
 * any API replica covers every fetcher — plus this process's own metrics. Needs
 * MAILDUCT_METRICS_TOKEN or an API token as bearer token.
 */
const metricsRoutes: FastifyPluginAsync = async (app) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mailduct_api_' });

  const authorize = async (req: FastifyRequest, reply: FastifyReply) => {
    const token = bearerOf(req);
    const metricsToken = app.deps.config.metricsToken;
    if (token && metricsToken && secretsEqual(token, metricsToken)) return;
    if (token && (await app.services.tokens.verify(token))) return;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="mailduct metrics"')
      .send({
        error: {
          code: 'UNAUTHORIZED',
          message: 'a bearer token (MAILDUCT_METRICS_TOKEN or an API token) is required',
          details: null,
        },
      });
  };

  app.get(
    '/metrics',
    { onRequest: authorize, schema: { tags: ['health'], summary: 'Prometheus metrics' } },
    async (_req, reply) => {
      const { queues, redis, config } = app.deps;
      const [{ counters, accounts }, fetchCounts, ticketCounts, skips] = await Promise.all([
        app.services.metrics.read(),
        queues.fetch.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'),
        queues.tickets.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'),
        redis.get(redisKeys.lockSkips(config.queuePrefix)),
      ]);
      const text = renderFetchMetrics(
        counters,
        accounts,
        { fetch: fetchCounts, tickets: ticketCounts },
        Number(skips ?? 0),
      );
      return reply.type(registry.contentType).send(text + (await registry.metrics()));
    },
  );
};

export default metricsRoutes;
