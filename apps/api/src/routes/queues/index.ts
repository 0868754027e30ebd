import type { FastifyPluginAsync } from 'fastify';
import type { QueueInput } from '@mailduct/core/queues';
import { errorResponses, IdParams } from '../common-schemas.js';
import { QueueCreate, QueueListQuery, QueuePage, QueuePatch, QueueView } from './schemas.js';

type ListQuery = { q?: string; includeInvalid: boolean; limit: number; offset: number };

/** `/api/v1/queues`: ticket queues that dispatched mail lands in. */
const queueRoutes: FastifyPluginAsync = async (app) => {
  const tags = ['queues'];

  app.get<{ Querystring: ListQuery }>(
    '/',
    {
      schema: {
        tags,
        summary: 'List queues',
        querystring: QueueListQuery,
        response: { 200: QueuePage, ...errorResponses },
      },
    },
    async (req) => {
      const { items, total } = await app.services.queues.list(req.query);
      return { items, total, limit: req.query.limit, offset: req.query.offset };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/:id',
    { schema: { tags, summary: 'Get a queue', params: IdParams, response: { 200: QueueView, ...errorResponses } } },
    async (req) => app.services.queues.get(req.params.id),
  );

  app.post<{ Body: QueueInput }>(
    '/',
    { schema: { tags, summary: 'Create a queue', body: QueueCreate, response: { 201: QueueView, ...errorResponses } } },
    async (req, reply) => {
      const view = await app.services.queues.create(req.body, req.principal.name);
      return reply.code(201).header('location', `/api/v1/queues/${view.id}`).send(view);
    },
  );

  app.patch<{ Params: { id: number }; Body: Partial<QueueInput> }>(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change a queue',
        params: IdParams,
        body: QueuePatch,
        response: { 200: QueueView, ...errorResponses },
      },
    },
    async (req) => app.services.queues.update(req.params.id, req.body, req.principal.name),
  );

  app.delete<{ Params: { id: number } }>(
    '/:id',
    { schema: { tags, summary: 'Delete an unused queue', params: IdParams, response: { ...errorResponses } } },
    async (req, reply) => {
      await app.services.queues.remove(req.params.id, req.principal.name);
      return reply.code(204).send();
    },
  );
};

export default queueRoutes;
