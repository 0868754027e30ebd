import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import { nextScheduledRun } from '@mailduct/core/jobs';
import { errorResponses, IdParams } from '../common-schemas.js';
import { AccountCreate, AccountListQuery, AccountPage, AccountPatch, AccountView } from './schemas.js';

/** Fastify with request types inferred from the route schemas. */
type Api = Parameters<FastifyPluginAsyncTypebox>[0];
const tags = ['mail accounts'];

/** `/api/v1/mail-accounts`: OTOBO's PostMaster Mail Accounts. */
const mailAccountRoutes: FastifyPluginAsync = async (plain) => {
  // Request types come from the schemas (core's accounts/account-schema.ts), not from annotations.
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  listAccounts(app);
  getAccount(app);
  createAccount(app);
  changeAccount(app);
  deleteAccount(app);
};

function listAccounts(app: Api): void {
  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'List mail accounts',
        querystring: AccountListQuery,
        response: { 200: AccountPage, ...errorResponses },
      },
    },
    async (req) => {
      const { items, total } = await app.services.accounts.list(req.query);
      return { items, total, limit: req.query.limit, offset: req.query.offset };
    },
  );
}

function getAccount(app: Api): void {
  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Get a mail account, with its next scheduled run and who watches it (push)',
        params: IdParams,
        response: { 200: AccountView, ...errorResponses },
      },
    },
    async (req) => {
      const view = await app.services.accounts.get(req.params.id);
      const nextRunAt = await nextScheduledRun(app.deps.queues.fetch, view.id).catch(() => null);
      const watcher = view.push ? await app.services.watchers.read(view.id).catch(() => null) : null;
      return { ...view, state: { ...view.state, nextRunAt, watcher } };
    },
  );
}

function createAccount(app: Api): void {
  app.post(
    '/',
    {
      schema: {
        tags,
        summary: 'Create a mail account',
        body: AccountCreate,
        response: { 201: AccountView, ...errorResponses },
      },
    },
    async (req, reply) => {
      const view = await app.services.accounts.create(req.body, req.principal.name);
      return reply.code(201).header('location', `/api/v1/mail-accounts/${view.id}`).send(view);
    },
  );
}

function changeAccount(app: Api): void {
  app.patch(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Change a mail account (omit password to keep it)',
        params: IdParams,
        body: AccountPatch,
        response: { 200: AccountView, ...errorResponses },
      },
    },
    async (req) => app.services.accounts.update(req.params.id, req.body, req.principal.name),
  );
}

function deleteAccount(app: Api): void {
  app.delete(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Delete a mail account',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await app.services.accounts.remove(req.params.id, req.principal.name);
      return reply.code(204).send(null);
    },
  );
}

export default mailAccountRoutes;
