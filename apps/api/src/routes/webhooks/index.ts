import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import {
  DeliveryViewSchema,
  WebhookCreatedSchema,
  WebhookCreateSchema,
  WebhookPatchSchema,
  WebhookViewSchema,
} from '@mailduct/core/webhooks';
import { errorResponses, IdParams } from '../common-schemas.js';

type Api = Parameters<FastifyPluginAsyncTypebox>[0];
const tags = ['webhooks'];

/** `/api/v1/webhooks`: where events are posted, their delivery log, redelivery of one event. */
const webhookRoutes: FastifyPluginAsync = async (plain) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'List webhooks',
        response: { 200: Type.Object({ items: Type.Array(WebhookViewSchema) }), ...errorResponses },
      },
    },
    async () => ({ items: await app.services.webhooks.list() }),
  );
  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Get a webhook',
        params: IdParams,
        response: { 200: WebhookViewSchema, ...errorResponses },
      },
    },
    async (req) => app.services.webhooks.get(req.params.id),
  );
  changeRoutes(app);
  deliveryRoutes(app);
};

function changeRoutes(app: Api): void {
  app.post(
    '/',
    {
      schema: {
        tags,
        summary: 'Create a webhook (the answer holds its signing secret, this once)',
        body: WebhookCreateSchema,
        response: { 201: WebhookCreatedSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const created = await app.services.webhooks.create(req.body, req.principal.name);
      return reply.code(201).header('location', `/api/v1/webhooks/${created.id}`).send(created);
    },
  );
  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change a webhook (enabling it again clears a disabling by mailduct)',
        params: IdParams,
        body: WebhookPatchSchema,
        response: { 200: WebhookViewSchema, ...errorResponses },
      },
    },
    async (req) => app.services.webhooks.update(req.params.id, req.body, req.principal.name),
  );
  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Delete a webhook and its delivery log',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await app.services.webhooks.remove(req.params.id, req.principal.name);
      return reply.code(204).send(null);
    },
  );
}

function deliveryRoutes(app: Api): void {
  app.get(
    '/:id/deliveries',
    {
      schema: {
        tags,
        summary: "A webhook's newest 50 deliveries, each with its attempts",
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(DeliveryViewSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ items: await app.services.webhooks.deliveries(req.params.id) }),
  );
  app.post(
    '/:id/deliveries/:deliveryId/redeliver',
    {
      schema: {
        tags,
        summary: 'Send one event again (same body and webhook-id)',
        params: Type.Object({ ...IdParams.properties, deliveryId: Type.String({ maxLength: 20 }) }),
        response: { 202: DeliveryViewSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send(await app.services.webhooks.redeliver(req.params.id, req.params.deliveryId, req.principal.name)),
  );
}

export default webhookRoutes;
