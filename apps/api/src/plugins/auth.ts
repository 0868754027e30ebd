import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@mailduct/core/auth';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyInstance {
    requireToken: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** The bearer token of a request, or '' when there is none. */
export function bearerOf(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

/** `requireToken`: an onRequest hook that answers 401 unless the request carries a valid bearer token. */
export default fp(
  async (app) => {
    app.decorateRequest('principal', null as unknown as Principal);
    app.decorate('requireToken', async (request: FastifyRequest, reply: FastifyReply) => {
      const token = bearerOf(request);
      const principal = token ? await app.services.tokens.verify(token) : null;
      if (!principal) {
        const message = token ? 'the bearer token is not valid' : 'an Authorization: Bearer <token> header is required';
        await reply.code(401).header('www-authenticate', 'Bearer realm="mailduct"').send({ error: { code: 'UNAUTHORIZED', message, details: null } });
        return;
      }
      request.principal = principal;
    });
  },
  { name: 'mailduct-auth', dependencies: ['mailduct-services'] },
);
