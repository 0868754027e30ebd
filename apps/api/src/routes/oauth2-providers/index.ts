import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ProviderCreateSchema, ProviderPatchSchema, ProviderViewSchema } from '@mailduct/core/oauth2';
import { errorResponses, IdParams } from '../common-schemas.js';

type Api = Parameters<FastifyPluginAsyncTypebox>[0];
const tags = ['oauth2 providers'];

/** `/api/v1/oauth2-providers`: the OAuth2 client registrations mail accounts sign in with. */
const providerRoutes: FastifyPluginAsync = async (plain) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  listProviders(app);
  getProvider(app);
  createProvider(app);
  changeProvider(app);
  deleteProvider(app);
};

function listProviders(app: Api): void {
  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'List OAuth2 providers',
        response: { 200: Type.Object({ items: Type.Array(ProviderViewSchema) }), ...errorResponses },
      },
    },
    async () => ({ items: await app.services.providers.list() }),
  );
}

function getProvider(app: Api): void {
  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Get an OAuth2 provider',
        params: IdParams,
        response: { 200: ProviderViewSchema, ...errorResponses },
      },
    },
    async (req) => app.services.providers.get(req.params.id),
  );
}

function createProvider(app: Api): void {
  app.post(
    '/',
    {
      schema: {
        tags,
        summary: 'Create an OAuth2 provider',
        body: ProviderCreateSchema,
        response: { 201: ProviderViewSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = await app.services.providers.create(req.body, req.principal.name);
      return reply.code(201).header('location', `/api/v1/oauth2-providers/${view.id}`).send(view);
    },
  );
}

function changeProvider(app: Api): void {
  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change an OAuth2 provider (omit clientSecret to keep it)',
        params: IdParams,
        body: ProviderPatchSchema,
        response: { 200: ProviderViewSchema, ...errorResponses },
      },
    },
    async (req) => app.services.providers.update(req.params.id, req.body, req.principal.name),
  );
}

function deleteProvider(app: Api): void {
  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Delete an OAuth2 provider no mail account uses',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await app.services.providers.remove(req.params.id, req.principal.name);
      return reply.code(204).send(null);
    },
  );
}

export default providerRoutes;
