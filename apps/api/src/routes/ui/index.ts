import type { FastifyPluginAsync } from 'fastify';
import { SESSION_COOKIE } from '../../plugins/auth.js';
import { APP_CSS, APP_JS } from '../../ui/assets.js';
import accountPages from './account-routes.js';
import addressPages from './address-routes.js';
import messagePages from './message-routes.js';
import oauth2Callback from './oauth2-callback.js';
import { sendErrorPage } from './page-errors.js';
import providerPages from './provider-routes.js';
import queuePages from './queue-routes.js';
import signInRoutes from './sign-in-routes.js';
import webhookPages from './webhook-routes.js';
import { checkCsrf, type FormBody } from './ui-support.js';

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
  await app.register(signInRoutes);

  await app.register(async (pages) => {
    pages.addHook('onRequest', pages.requireSession);
    pages.setErrorHandler(sendErrorPage);
    pages.get('/', async (_req, reply) => reply.redirect('/accounts', 303));
    pages.post<{ Body: FormBody }>('/logout', async (req, reply) => {
      if (!checkCsrf(req, reply)) return reply;
      await app.services.sessions.destroy(req.cookies[SESSION_COOKIE] ?? '');
      return reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/login', 303);
    });
    await pages.register(accountPages);
    await pages.register(queuePages);
    await pages.register(addressPages);
    await pages.register(messagePages);
    await pages.register(oauth2Callback);
    await pages.register(providerPages);
    await pages.register(webhookPages);
  });
};

export default uiRoutes;
