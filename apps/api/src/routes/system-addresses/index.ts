import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AddressInput } from '@mailduct/core/queues';
import { errorResponses, IdParams } from '../common-schemas.js';
import { AddressCreate, AddressListQuery, AddressPage, AddressPatch, AddressView } from './schemas.js';

type ListQuery = { q?: string; includeInvalid: boolean; queueId?: number; limit: number; offset: number };

const tags = ['system addresses'];

/** `/api/v1/system-addresses`: recipient addresses linked to queues (dispatch by To:). */
const systemAddressRoutes: FastifyPluginAsync = async (app) => {
  listAddresses(app);
  getAddress(app);
  createAddress(app);
  changeAddress(app);
  deleteAddress(app);
};

function listAddresses(app: FastifyInstance): void {
  app.get<{ Querystring: ListQuery }>(
    '/',
    {
      schema: {
        tags,
        summary: 'List system addresses',
        querystring: AddressListQuery,
        response: { 200: AddressPage, ...errorResponses },
      },
    },
    async (req) => {
      const { items, total } = await app.services.addresses.list(req.query);
      return { items, total, limit: req.query.limit, offset: req.query.offset };
    },
  );
}

function getAddress(app: FastifyInstance): void {
  app.get<{ Params: { id: number } }>(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Get a system address',
        params: IdParams,
        response: { 200: AddressView, ...errorResponses },
      },
    },
    async (req) => app.services.addresses.get(req.params.id),
  );
}

function createAddress(app: FastifyInstance): void {
  app.post<{ Body: AddressInput }>(
    '/',
    {
      schema: {
        tags,
        summary: 'Create a system address',
        body: AddressCreate,
        response: { 201: AddressView, ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = await app.services.addresses.create(req.body, req.principal.name);
      return reply.code(201).header('location', `/api/v1/system-addresses/${view.id}`).send(view);
    },
  );
}

function changeAddress(app: FastifyInstance): void {
  app.patch<{ Params: { id: number }; Body: Partial<AddressInput> }>(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change a system address',
        params: IdParams,
        body: AddressPatch,
        response: { 200: AddressView, ...errorResponses },
      },
    },
    async (req) => app.services.addresses.update(req.params.id, req.body, req.principal.name),
  );
}

function deleteAddress(app: FastifyInstance): void {
  app.delete<{ Params: { id: number } }>(
    '/:id',
    { schema: { tags, summary: 'Delete a system address', params: IdParams, response: { ...errorResponses } } },
    async (req, reply) => {
      await app.services.addresses.remove(req.params.id, req.principal.name);
      return reply.code(204).send();
    },
  );
}

export default systemAddressRoutes;
