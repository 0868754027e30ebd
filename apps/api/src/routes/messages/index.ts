import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { MessageFilter } from '@mailduct/core/messages';
import { errorResponses } from '../common-schemas.js';
import { MessageIdParams, MessageListQuery, MessagePage, MessageView, ParsedView } from './schemas.js';

type Params = { Params: { id: number } };

const tags = ['messages'];

/** `/api/v1/messages`: stored mail, its dispatch outcome, raw bytes and full parse. */
const messageRoutes: FastifyPluginAsync = async (app) => {
  listMessages(app);
  getMessage(app);
  getRawMessage(app);
  getParsedMessage(app);
  reprocessMessage(app);
};

function listMessages(app: FastifyInstance): void {
  app.get<{ Querystring: MessageFilter }>(
    '/',
    {
      schema: {
        tags,
        summary: 'List stored messages, newest first',
        querystring: MessageListQuery,
        response: { 200: MessagePage, ...errorResponses },
      },
    },
    async (req) => {
      const { items, total } = await app.services.messages.list(req.query);
      return { items, total, limit: req.query.limit, offset: req.query.offset };
    },
  );
}

function getMessage(app: FastifyInstance): void {
  app.get<Params>(
    '/:id',
    {
      schema: {
        tags,
        summary: 'Get a stored message (no bytes)',
        params: MessageIdParams,
        response: { 200: MessageView, ...errorResponses },
      },
    },
    async (req) => app.services.messages.get(req.params.id),
  );
}

function getRawMessage(app: FastifyInstance): void {
  app.get<Params>(
    '/:id/raw',
    {
      schema: {
        tags,
        summary: 'The raw mail, byte for byte (message/rfc822)',
        params: MessageIdParams,
        produces: ['message/rfc822'],
        response: { ...errorResponses },
      },
    },
    async (req, reply) => {
      const raw = await app.services.messages.raw(req.params.id);
      return reply
        .type('message/rfc822')
        .header('content-disposition', `attachment; filename="message-${req.params.id}.eml"`)
        .send(raw);
    },
  );
}

function getParsedMessage(app: FastifyInstance): void {
  app.get<Params>(
    '/:id/parsed',
    {
      schema: {
        tags,
        summary: 'Full MIME parse: text, html, attachment metadata',
        params: MessageIdParams,
        response: { 200: ParsedView, ...errorResponses },
      },
    },
    async (req) => app.services.messages.parsed(req.params.id),
  );
}

function reprocessMessage(app: FastifyInstance): void {
  app.post<Params>(
    '/:id/reprocess',
    {
      schema: {
        tags,
        summary: "Dispatch a quarantined message again with its account's current settings",
        params: MessageIdParams,
        response: { 200: MessageView, ...errorResponses },
      },
    },
    async (req) => app.services.messages.reprocess(req.params.id),
  );
}

export default messageRoutes;
