import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { secretsEqual } from '@mailduct/core/crypto';
import { redisKeys } from '@mailduct/core/redis';
import { renderFetchMetrics } from '@mailduct/core/metrics';
import { WATCH_STATES } from '@mailduct/core/push';
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
      const [{ counters, accounts }, fetchCounts, ticketCounts, skips, push] = await Promise.all([
        app.services.metrics.scrape(),
        queues.fetch.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'),
        queues.tickets.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'),
        redis.get(redisKeys.lockSkips(config.queuePrefix)),
        pushState(app),
      ]);
      const text = renderFetchMetrics(
        counters,
        accounts,
        { fetch: fetchCounts, tickets: ticketCounts },
        Number(skips ?? 0),
        push,
      );
      return reply.type(registry.contentType).send(text + (await registry.metrics()));
    },
  );
};

/** Push accounts by watch state (their leases in Redis), and the reconnects counted. */
async function pushState(app: FastifyInstance): Promise<{ watchers: Record<string, number>; reconnects: number }> {
  const { prisma, redis, config } = app.deps;
  const ids = (
    await prisma.mailAccount.findMany({ where: { push: true, validity: 'valid' }, select: { id: true } })
  ).map((a) => a.id);
  const watchers: Record<string, number> = Object.fromEntries([...WATCH_STATES, 'unwatched'].map((s) => [s, 0]));
  const leases = app.services.watchers;
  for (let i = 0; i < ids.length; i += 1000)
    for (const info of await leases.readMany(ids.slice(i, i + 1000))) watchers[info?.state ?? 'unwatched']!++;
  return { watchers, reconnects: Number((await redis.get(redisKeys.pushReconnects(config.queuePrefix))) ?? 0) };
}

export default metricsRoutes;
