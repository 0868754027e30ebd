import type { FastifyPluginAsync } from 'fastify';
import { SESSION_COOKIE } from '../../plugins/auth.js';
import { loginPage } from '../../ui/admin-pages.js';
import { page } from '../../ui/layout.js';
import { send, type FormBody } from './ui-support.js';

/** Where to go after signing in: a path on this site only, never another host. */
const safeNext = (next: unknown) =>
  typeof next === 'string' && /^\/(?!\/)[\w\-/.?=&%]*$/.test(next) ? next : '/accounts';

/** Sign-in with an API token (10 attempts a minute per client), which opens a session. */
const signInRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: { next?: string } }>('/login', async (req, reply) =>
    send(reply, page({ title: 'Sign in', session: null }, loginPage(safeNext(req.query.next), null))),
  );

  // Counted in Redis (per process while Redis is down).
  app.post<{ Body: FormBody }>('/login', async (req, reply) => {
    const next = safeNext(req.body?.next);
    const limit = await app.services.limits.signIn.take(req.ip);
    if (!limit.allowed) {
      const text = `Too many sign-in attempts; try again in ${limit.retryAfterSeconds} s.`;
      reply.header('retry-after', String(limit.retryAfterSeconds));
      return send(reply, page({ title: 'Sign in', session: null }, loginPage(next, text)), 429);
    }
    // A JSON body may carry anything: only a string can be a token.
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    const principal = await app.services.tokens.verify(token);
    if (!principal)
      return send(reply, page({ title: 'Sign in', session: null }, loginPage(next, 'That token is not valid.')), 401);
    const { id } = await app.services.sessions.create(principal);
    const secure = req.protocol === 'https';
    return reply
      .setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: 8 * 3600 })
      .redirect(next, 303);
  });
};

export default signInRoutes;
