import type { FastifyPluginAsync } from 'fastify';
import { isMailductError } from '@mailduct/core/errors';
import { html } from '../../ui/html.js';
import { SESSION_COOKIE } from '../../plugins/auth.js';
import { loginPage } from '../../ui/admin-pages.js';
import { APP_CSS, APP_JS } from '../../ui/assets.js';
import { page } from '../../ui/layout.js';
import accountPages from './account-routes.js';
import adminPages from './admin-routes.js';
import { checkCsrf, send, type FormBody } from './ui-support.js';

/** The admin UI: sign-in (rate-limited), then the screens, all behind the session cookie. */
const uiRoutes: FastifyPluginAsync = async (app) => {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  app.get('/ui/app.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(APP_CSS),
  );
  app.get('/ui/app.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(APP_JS),
  );

  const safeNext = (next: unknown) =>
    typeof next === 'string' && /^\/(?!\/)[\w\-/.?=&%]*$/.test(next) ? next : '/accounts';

  app.get<{ Querystring: { next?: string } }>('/login', async (req, reply) =>
    send(reply, page({ title: 'Sign in', session: null }, loginPage(safeNext(req.query.next), null))),
  );

  // 10 attempts a minute per client, counted in Redis (per process while Redis is down).
  app.post<{ Body: FormBody }>('/login', async (req, reply) => {
    const limit = await app.services.limits.signIn.take(req.ip);
    if (!limit.allowed)
      return send(
        reply.header('retry-after', String(limit.retryAfterSeconds)),
        page(
          { title: 'Sign in', session: null },
          loginPage(safeNext(req.body?.next), `Too many sign-in attempts; try again in ${limit.retryAfterSeconds} s.`),
        ),
        429,
      );
    // A JSON body may carry anything: only a string can be a token.
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    const principal = await app.services.tokens.verify(token);
    if (!principal)
      return send(
        reply,
        page({ title: 'Sign in', session: null }, loginPage(safeNext(req.body?.next), 'That token is not valid.')),
        401,
      );
    const { id } = await app.services.sessions.create(principal);
    const secure = req.protocol === 'https';
    return reply
      .setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: 8 * 3600 })
      .redirect(safeNext(req.body?.next), 303);
  });

  await app.register(async (pages) => {
    pages.addHook('onRequest', pages.requireSession);
    // Pages answer errors with a page, not with the API's JSON.
    pages.setErrorHandler((err, req, reply) => {
      const known = isMailductError(err);
      const status =
        known && err.code.endsWith('_NOT_FOUND') ? 404 : known && err.code === 'VALIDATION_FAILED' ? 400 : 500;
      if (status === 500) req.log.error({ err }, 'page failed');
      const text = status === 500 || !known ? 'Something went wrong; the server log has the details.' : err.message;
      return send(
        reply,
        page(
          { title: status === 404 ? 'Not found' : 'Error', session: req.session },
          html`<h1>${status === 404 ? 'Not found' : 'Something went wrong'}</h1><p>${text}</p><p><a href="/accounts">Back to the mail accounts</a></p>`,
        ),
        status,
      );
    });
    pages.get('/', async (_req, reply) => reply.redirect('/accounts', 303));
    pages.post<{ Body: FormBody }>('/logout', async (req, reply) => {
      if (!checkCsrf(req, reply)) return reply;
      await app.services.sessions.destroy(req.cookies[SESSION_COOKIE] ?? '');
      return reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/login', 303);
    });
    await pages.register(accountPages);
    await pages.register(adminPages);
  });
};

export default uiRoutes;
