import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';

const Health = Type.Object({ status: Type.String(), checks: Type.Optional(Type.Record(Type.String(), Type.String())) });

/** Liveness and readiness (PostgreSQL and Redis), unauthenticated, for orchestrators. */
const healthRoutes: FastifyPluginAsync = async (app) => {
  const tags = ['health'];
  app.get(
    '/live',
    { schema: { tags, summary: 'The process is up', security: [], response: { 200: Health } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags,
        summary: 'PostgreSQL and Redis are reachable',
        security: [],
        response: { 200: Health, 503: Health },
      },
    },
    async (_req, reply) => {
      const [postgres, redis] = await Promise.all([
        probe(() => app.deps.prisma.$queryRaw`SELECT 1`),
        probe(() => app.deps.redis.ping()),
      ]);
      const checks = { postgres, redis };
      const ok = postgres === 'ok' && redis === 'ok';
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
    },
  );
};

async function probe(check: () => Promise<unknown>, timeoutMs = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (err) {
    return `down: ${(err as Error).message.split('\n')[0]?.slice(0, 200)}`;
  } finally {
    clearTimeout(timer);
  }
}

export default healthRoutes;
