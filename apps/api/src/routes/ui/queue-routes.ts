import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { queuesPage } from '../../ui/admin-pages.js';
import { page } from '../../ui/layout.js';
import { idOf, noticeOf, send, submitForm, type FormBody, type FormFailure } from './ui-support.js';

type Id = { Params: { id: string } };

const queueInput = (b: FormBody) => ({ name: b.name ?? '', comment: b.comment || null, valid: b.valid === '1' });

/** The queue screen: list, add, change, delete. */
const queuePages: FastifyPluginAsync = async (app) => {
  const { queues } = app.services;
  app.get('/queues', async (req, reply) => showQueues(app, req, reply));
  app.post<{ Body: FormBody }>('/queues', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => queues.create(queueInput(req.body), req.principal.name),
      '/queues?notice=queue-saved',
      (failed) => showQueues(app, req, reply, failed, req.body),
    ),
  );
  app.post<Id & { Body: FormBody }>('/queues/:id', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => queues.update(idOf(req.params.id), queueInput(req.body), req.principal.name),
      '/queues?notice=queue-saved',
      (failed) => showQueues(app, req, reply, failed),
    ),
  );
  app.post<Id & { Body: FormBody }>('/queues/:id/delete', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => queues.remove(idOf(req.params.id), req.principal.name),
      '/queues?notice=queue-deleted',
      (failed) => showQueues(app, req, reply, failed),
    ),
  );
};

/** The list with its add form; after a refused save, with the problems and what was typed (400). */
async function showQueues(
  app: FastifyInstance,
  req: FastifyRequest,
  reply: FastifyReply,
  failure?: FormFailure,
  body: FormBody = {},
) {
  const queues = (await app.services.queues.list({ limit: 500, offset: 0 })).items;
  const notice = failure ? { text: failure.message, error: true } : noticeOf(req);
  const content = queuesPage(req.session!, queues, failure?.problems ?? [], body as Record<string, string>);
  return send(
    reply,
    page({ title: 'Queues', session: req.session, active: 'queues', notice }, content),
    failure ? 400 : 200,
  );
}

export default queuePages;
