import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ProviderView } from '@mailduct/core/oauth2';
import { page } from '../../ui/layout.js';
import { providerForm, providerFromForm, providerOverview, providerValuesOf } from '../../ui/provider-pages.js';
import { redirectUriOf } from '../mail-accounts/oauth2-routes.js';
import { idOf, noticeOf, send, submitForm, type FormBody, type FormFailure } from './ui-support.js';

type Id = { Params: { id: string } };

/** The OAuth2 provider screens: list, add, edit, delete. */
const providerPages: FastifyPluginAsync = async (app) => {
  const { providers } = app.services;
  app.get('/oauth2-providers', async (req, reply) => {
    const head = {
      title: 'OAuth2 providers',
      session: req.session,
      active: 'providers' as const,
      notice: noticeOf(req),
    };
    return send(reply, page(head, providerOverview(req.session!, await providers.list())));
  });
  app.get('/oauth2-providers/new', async (req, reply) => showForm(app, req, reply, null));
  app.post<{ Body: FormBody }>('/oauth2-providers', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => providers.create(providerFromForm(req.body, false), req.principal.name),
      '/oauth2-providers?notice=provider-saved',
      (failed) => showForm(app, req, reply, null, failed),
    ),
  );
  app.get<Id>('/oauth2-providers/:id', async (req, reply) =>
    showForm(app, req, reply, await providers.get(idOf(req.params.id))),
  );
  app.post<Id & { Body: FormBody }>('/oauth2-providers/:id', async (req, reply) => {
    const id = idOf(req.params.id);
    return submitForm(
      req,
      reply,
      () => providers.update(id, providerFromForm(req.body, true), req.principal.name),
      '/oauth2-providers?notice=provider-saved',
      async (failed) => showForm(app, req, reply, await providers.get(id), failed),
    );
  });
  app.post<Id & { Body: FormBody }>('/oauth2-providers/:id/delete', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => providers.remove(idOf(req.params.id), req.principal.name),
      '/oauth2-providers?notice=provider-deleted',
      async (failed) => {
        const notice = { text: failed.message, error: true };
        const head = { title: 'OAuth2 providers', session: req.session, active: 'providers' as const, notice };
        return send(reply, page(head, providerOverview(req.session!, await providers.list())), 409);
      },
    ),
  );
};

/** The add (no provider) or edit form; after a refused save with what was typed and the problems (400). */
async function showForm(
  app: FastifyInstance,
  req: FastifyRequest,
  reply: FastifyReply,
  provider: ProviderView | null,
  failed?: FormFailure,
) {
  const typed = failed ? (req.body as Record<string, string>) : {};
  const values = { ...providerValuesOf(provider), ...withoutSecrets(typed) };
  const title = provider ? 'Edit OAuth2 provider' : 'Add OAuth2 provider';
  const notice = failed ? { text: failed.message, error: true } : null;
  const form = providerForm(req.session!, {
    provider,
    values,
    problems: failed?.problems ?? [],
    redirectUri: redirectUriOf(app, req),
  });
  return send(reply, page({ title, session: req.session, active: 'providers', notice }, form), failed ? 400 : 200);
}

function withoutSecrets(typed: Record<string, string>): Record<string, string> {
  const { clientSecret: _secret, _csrf: _token, ...rest } = typed;
  return rest;
}

export default providerPages;
