import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { secretsEqual } from '@mailduct/core/crypto';
import type { Principal, Session } from '@mailduct/core/auth';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    session: Session | null;
  }
  interface FastifyInstance {
    requireToken: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    requireSession: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** The name of the admin UI's session cookie. */
export const SESSION_COOKIE = 'mailduct_session';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The bearer token of a request, or '' when there is none. */
export function bearerOf(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

/**
 * `requireToken` (API): a valid bearer token, or the admin UI's session cookie — with the
 * session's CSRF token in `x-csrf-token` for state-changing methods. Otherwise 401.
 * `requireSession` (UI pages, Bull Board): a session, or a redirect to the sign-in page.
 * A session is only as good as the token it was signed in with: that token is checked again on
 * every request (cached for seconds), so revoking it ends its sessions. A read-only principal may
 * read (GET, HEAD) and sign out; anything else is 403.
 */
export default fp(
  async (app) => {
    app.decorateRequest('principal', null as unknown as Principal);
    app.decorateRequest('session', null);
    const sessionOf = async (request: FastifyRequest): Promise<Session | null> => {
      const id = request.cookies?.[SESSION_COOKIE];
      const session = id ? await app.services.sessions.get(id).catch(() => null) : null;
      if (!session) return null;
      const principal =
        typeof session.principal.tokenHash === 'string'
          ? await app.services.tokens.verifyHash(session.principal.tokenHash)
          : null;
      if (!principal) {
        await app.services.sessions.destroy(id!).catch(() => undefined);
        return null;
      }
      return { ...session, principal };
    };
    app.decorate('requireSession', async (request: FastifyRequest, reply: FastifyReply) => {
      const session = await sessionOf(request);
      if (!session) {
        const next = encodeURIComponent(request.url);
        await reply.redirect(`/login?next=${next}`, 303);
        return;
      }
      request.session = session;
      request.principal = session.principal;
      if (!mayDo(session.principal, request) && request.url !== '/logout') await forbid(reply, session.principal);
    });
    app.decorate('requireToken', async (request: FastifyRequest, reply: FastifyReply) => {
      const token = bearerOf(request);
      // A client that sent too many wrong tokens is not even checked until its window ends.
      const limit = token ? await app.services.limits.badTokens.blocked(request.ip) : null;
      if (limit && !limit.allowed)
        return tooMany(reply, limit.retryAfterSeconds, 'too many requests with a wrong bearer token from this client');
      let principal = token ? await app.services.tokens.verify(token) : null;
      if (token && !principal) await app.services.limits.badTokens.take(request.ip);
      if (!principal && !token) {
        const session = await sessionOf(request);
        const csrf = request.headers['x-csrf-token'];
        if (
          session &&
          (!UNSAFE.has(request.method) || (typeof csrf === 'string' && secretsEqual(csrf, session.csrf)))
        ) {
          principal = session.principal;
          request.session = session;
        }
      }
      if (!principal) {
        const message = token ? 'the bearer token is not valid' : 'an Authorization: Bearer <token> header is required';
        await reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="mailduct"')
          .send({ error: { code: 'UNAUTHORIZED', message, details: null } });
        return;
      }
      request.principal = principal;
      if (!mayDo(principal, request)) await forbid(reply, principal);
    });
  },
  { name: 'mailduct-auth', dependencies: ['mailduct-services', '@fastify/cookie'] },
);

/** Whether the principal's role allows this request. */
function mayDo(principal: Principal, request: FastifyRequest): boolean {
  return principal.role === 'admin' || !UNSAFE.has(request.method);
}

/** 429 with Retry-After. */
async function tooMany(reply: FastifyReply, retryAfterSeconds: number, message: string): Promise<void> {
  await reply
    .code(429)
    .header('retry-after', String(retryAfterSeconds))
    .send({
      error: { code: 'RATE_LIMITED', message: `${message}; try again in ${retryAfterSeconds} s`, details: null },
    });
}

async function forbid(reply: FastifyReply, principal: Principal): Promise<void> {
  await reply.code(403).send({
    error: {
      code: 'FORBIDDEN',
      message: `"${principal.name}" has a read-only token: it may read, not change, test or fetch`,
      details: null,
    },
  });
}
