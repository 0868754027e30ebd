import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Session } from '@mailduct/core/auth';
import { ANY_ADMIN } from '@mailduct/core/oauth2';
import { errorResponses, IdParams } from '../common-schemas.js';
import { AuthorizeBody, AuthorizeResponse, OAuth2StatusResponse, RevokeResponse } from './oauth2-schemas.js';

type Api = Parameters<FastifyPluginAsyncTypebox>[0];
const tags = ['mail accounts'];

/** `/api/v1/mail-accounts/:id/oauth2`: give an OAuth2 account its grant, see it, revoke it. */
const accountOAuth2Routes: FastifyPluginAsync = async (plain) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  authorize(app);
  status(app);
  revoke(app);
};

/**
 * Who may finish a sign-in started by this request: the UI session it came with, or the API
 * token's principal (then any UI session of that principal may finish it).
 */
function bindingOf(req: FastifyRequest): string {
  return req.session ? sessionBinding(req.session) : principalBinding(req.principal.name);
}

/**
 * Whether `session` may finish a sign-in started with `binding`: the session that started it, a
 * session of the API token's principal that did, or, for one `mailduct oauth2 authorize` started
 * (it has no session), any admin.
 */
export function mayFinish(session: Session, binding: string): boolean {
  return (
    binding === sessionBinding(session) ||
    binding === principalBinding(session.principal.name) ||
    (binding === ANY_ADMIN && session.principal.role === 'admin')
  );
}

/** A UI session as a binding, by the hash of its CSRF token (the session id is not kept). */
function sessionBinding(session: Session): string {
  return `session:${createHash('sha256').update(session.csrf).digest('hex')}`;
}

const principalBinding = (name: string) => `principal:${name}`;

/** Where the provider sends the browser back: MAILDUCT_PUBLIC_URL, else the origin this request came to. */
export function redirectUriOf(app: Pick<Api, 'deps'>, req: FastifyRequest): string {
  const origin = app.deps.config.publicUrl ?? `${req.protocol}://${req.host}`;
  return `${origin}/oauth2/callback`;
}

function authorize(app: Api): void {
  app.post(
    '/:id/oauth2/authorize',
    {
      schema: {
        tags,
        summary: 'Authorize an OAuth2 account: the provider URL to sign in at, or a device code',
        params: IdParams,
        body: AuthorizeBody,
        response: { 200: AuthorizeResponse, ...errorResponses },
      },
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req) => {
      const id = req.params.id;
      const account = await app.services.accounts.get(id);
      const grant =
        account.auth.method === 'oauth2' ? await app.services.providers.grantOf(account.auth.providerId) : null;
      const flow = req.body.flow ?? grant ?? 'authorization_code';
      if (flow === 'client_credentials') {
        // Nobody signs in: ask for a token now, so a wrong client secret shows here and not in the next run.
        await app.deps.tokens.accessToken(id);
        return { flow, state: 'ready' as const };
      }
      if (flow === 'device_code') return { flow, ...(await app.services.oauth2.startDevice(id, req.principal.name)) };
      const started = await app.services.oauth2.begin(id, {
        redirectUri: redirectUriOf(app, req),
        binding: bindingOf(req),
      });
      return { flow, ...started };
    },
  );
}

function status(app: Api): void {
  app.get(
    '/:id/oauth2',
    {
      schema: {
        tags,
        summary: "An OAuth2 account's grant, and its device-code sign-in if one is going on",
        params: IdParams,
        response: { 200: OAuth2StatusResponse, ...errorResponses },
      },
    },
    async (req) => {
      const account = await app.services.accounts.get(req.params.id);
      return { auth: account.auth, device: await app.services.oauth2.deviceStatus(req.params.id) };
    },
  );
}

function revoke(app: Api): void {
  app.delete(
    '/:id/oauth2',
    {
      schema: {
        tags,
        summary: "Revoke an OAuth2 account's grant at the provider (where it can) and forget its tokens",
        params: IdParams,
        response: { 200: RevokeResponse, ...errorResponses },
      },
    },
    async (req) => app.services.oauth2.revoke(req.params.id, req.principal.name),
  );
}

export default accountOAuth2Routes;
