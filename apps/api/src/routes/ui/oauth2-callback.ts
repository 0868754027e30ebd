import type { FastifyPluginAsync } from 'fastify';
import { isMailductError } from '@mailduct/core/errors';
import { html } from '../../ui/html.js';
import { page } from '../../ui/layout.js';
import { mayFinish } from '../mail-accounts/oauth2-routes.js';
import { send } from './ui-support.js';

/**
 * `/oauth2/callback`: where the provider sends the administrator's browser after the sign-in.
 * Behind the session (a browser without one signs in first and comes back here); the state is
 * checked, used up and must have been started by this session or this session's principal.
 */
const oauth2Callback: FastifyPluginAsync = async (app) => {
  app.get('/oauth2/callback', async (req, reply) => {
    const session = req.session!;
    const query = new URLSearchParams(req.url.slice(req.url.indexOf('?') + 1 || req.url.length));
    try {
      const done = await app.services.oauth2.complete(
        query,
        (binding) => mayFinish(session, binding),
        req.principal.name,
      );
      const who = done.identity ? html` as <strong>${done.identity}</strong>` : html``;
      return send(
        reply,
        page(
          { title: 'Account authorized', session },
          html`<h1>Account authorized</h1><p role="status">Mail account ${String(done.accountId)} is authorized${who}; it is fetched with its OAuth2 token from now on.</p><p><a href="/accounts/${String(done.accountId)}">Back to the account</a></p>`,
        ),
      );
    } catch (err) {
      if (!isMailductError(err)) throw err;
      req.log.warn({ code: err.code }, 'OAuth2 sign-in not completed');
      const status = err.code === 'OAUTH2_STATE_INVALID' ? 400 : err.code === 'OAUTH2_IDENTITY_MISMATCH' ? 409 : 502;
      return send(
        reply,
        page(
          { title: 'Authorization failed', session },
          html`<h1>Authorization failed</h1><p role="alert">${err.message}</p><p><a href="/accounts">Back to the mail accounts</a></p>`,
        ),
        status,
      );
    }
  });
};

export default oauth2Callback;
