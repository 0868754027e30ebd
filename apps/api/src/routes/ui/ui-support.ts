import type { FastifyReply, FastifyRequest } from 'fastify';
import { secretsEqual } from '@mailduct/core/crypto';
import { isRowId } from '@mailduct/core/db';
import { isMailductError, type FieldProblem } from '@mailduct/core/errors';
import type { SafeHtml } from '../../ui/html.js';

/** A submitted form (application/x-www-form-urlencoded). */
export type FormBody = Record<string, string | undefined>;

/** The id in a UI path: a row id, or 0 (which no row has: the page answers 404). */
export function idOf(raw: string): number {
  const n = /^\d{1,10}$/.test(raw) ? Number(raw) : 0;
  return isRowId(n) ? n : 0;
}

/** Notices shown after a redirect, by key (never text from the URL). */
const NOTICES: Record<string, string> = {
  added: 'Mail account added!',
  updated: 'Mail account updated!',
  deleted: 'Mail account deleted.',
  'queue-saved': 'Queue saved.',
  'queue-deleted': 'Queue deleted.',
  'address-saved': 'System address saved.',
  'address-deleted': 'System address deleted.',
  reprocessed: 'Message reprocessed.',
  'provider-saved': 'OAuth2 provider saved.',
  'provider-deleted': 'OAuth2 provider deleted.',
  'webhook-saved': 'Webhook saved.',
  'webhook-deleted': 'Webhook deleted.',
  redelivered: 'The event is sent again.',
};

export function noticeOf(req: FastifyRequest): { text: string } | null {
  const key = (req.query as { notice?: string }).notice;
  return key && NOTICES[key] ? { text: NOTICES[key] } : null;
}

/** The UI loads its own script and style sheet only: no inline code, no framing, forms post here. */
const UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function send(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', UI_CSP)
    .send(page.value);
}

/** Refuse a form post whose CSRF token does not match the session's (403). */
export function checkCsrf(req: FastifyRequest, reply: FastifyReply): boolean {
  const token = (req.body as FormBody | undefined)?._csrf ?? '';
  if (req.session && token && secretsEqual(token, req.session.csrf)) return true;
  void reply
    .code(403)
    .type('text/plain')
    .send('The form has expired or did not come from this site. Go back, reload and try again.');
  return false;
}

/** Why a form post was refused: field problems to mark, and a message for the notice. */
export type FormFailure = { problems: FieldProblem[]; message: string };

/**
 * A form post: refuse a bad CSRF token (403), run `action`, then redirect (303) to `to`. When the
 * action is refused with field problems or a domain error and `showFailure` is given, the page is
 * shown again with them instead; any other error goes to the error handler.
 */
export async function submitForm<T>(
  req: FastifyRequest,
  reply: FastifyReply,
  action: () => Promise<T>,
  to: string | ((result: T) => string),
  showFailure?: (failed: FormFailure) => Promise<FastifyReply>,
): Promise<FastifyReply> {
  if (!checkCsrf(req, reply)) return reply;
  let result: T;
  try {
    result = await action();
  } catch (err) {
    const failed = showFailure ? problemsOf(err) : null;
    if (!failed || !showFailure) throw err;
    return showFailure(failed);
  }
  return reply.redirect(typeof to === 'string' ? to : to(result), 303);
}

/** The field problems of a validation error, or a single general problem for other domain errors. */
export function problemsOf(err: unknown): FormFailure | null {
  if (!isMailductError(err)) return null;
  if (err.code === 'VALIDATION_FAILED' && Array.isArray(err.details))
    return { problems: err.details as FieldProblem[], message: 'Please correct the marked fields.' };
  if (
    err.code.endsWith('_EXISTS') ||
    err.code.endsWith('_IN_USE') ||
    err.code.endsWith('_NOT_FOUND') ||
    err.code === 'MESSAGE_NOT_REPROCESSABLE'
  )
    return { problems: [], message: err.message };
  return null;
}
