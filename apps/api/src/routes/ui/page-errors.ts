import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isMailductError } from '@mailduct/core/errors';
import { html } from '../../ui/html.js';
import { page } from '../../ui/layout.js';
import { send } from './ui-support.js';

/** Pages answer errors with a page, not with the API's JSON: 404, 400 with the message, else 500. */
export function sendErrorPage(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  const known = isMailductError(err);
  const status = known && err.code.endsWith('_NOT_FOUND') ? 404 : known && err.code === 'VALIDATION_FAILED' ? 400 : 500;
  if (status === 500) req.log.error({ err }, 'page failed');
  const text = status === 500 || !known ? 'Something went wrong; the server log has the details.' : err.message;
  const heading = status === 404 ? 'Not found' : 'Something went wrong';
  return send(
    reply,
    page(
      { title: status === 404 ? 'Not found' : 'Error', session: req.session },
      html`<h1>${heading}</h1><p>${text}</p><p><a href="/accounts">Back to the mail accounts</a></p>`,
    ),
    status,
  );
}
