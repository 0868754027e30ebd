import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { addressesPage, messagesPage, queuesPage } from '../../ui/admin-pages.js';
import { page } from '../../ui/layout.js';
import { idOf, noticeOf, send, submitForm, type FormBody, type FormFailure } from './ui-support.js';

type Id = { Params: { id: string } };

/** Queue, system address and message screens. */
const adminPages: FastifyPluginAsync = async (app) => {
  const { queues, addresses, messages } = app.services;
  // Message ids are bigint: any safe integer.
  const messageIdOf = (raw: string) => (/^\d{1,15}$/.test(raw) ? Number(raw) : 0);
  const allQueues = async () => (await queues.list({ limit: 500, offset: 0 })).items;

  const showQueues = async (req: FastifyRequest, reply: FastifyReply, failure?: FormFailure, body: FormBody = {}) =>
    send(
      reply,
      page(
        {
          title: 'Queues',
          session: req.session,
          active: 'queues',
          notice: failure ? { text: failure.message, error: true } : noticeOf(req),
        },
        queuesPage(req.session!, await allQueues(), failure?.problems ?? [], body as Record<string, string>),
      ),
      failure ? 400 : 200,
    );
  const queueInput = (b: FormBody) => ({ name: b.name ?? '', comment: b.comment || null, valid: b.valid === '1' });

  app.get('/queues', async (req, reply) => showQueues(req, reply));
  app.post<{ Body: FormBody }>('/queues', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => queues.create(queueInput(req.body), req.principal.name),
      '/queues?notice=queue-saved',
      (failed) => showQueues(req, reply, failed, req.body),
    ),
  );
  app.post<Id & { Body: FormBody }>('/queues/:id', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => queues.update(idOf(req.params.id), queueInput(req.body), req.principal.name),
      '/queues?notice=queue-saved',
      (failed) => showQueues(req, reply, failed),
    ),
  );
  app.post<Id & { Body: FormBody }>('/queues/:id/delete', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => queues.remove(idOf(req.params.id), req.principal.name),
      '/queues?notice=queue-deleted',
      (failed) => showQueues(req, reply, failed),
    ),
  );

  const showAddresses = async (req: FastifyRequest, reply: FastifyReply, failure?: FormFailure, body: FormBody = {}) =>
    send(
      reply,
      page(
        {
          title: 'System addresses',
          session: req.session,
          active: 'addresses',
          notice: failure ? { text: failure.message, error: true } : noticeOf(req),
        },
        addressesPage(
          req.session!,
          (await addresses.list({ limit: 500, offset: 0 })).items,
          await allQueues(),
          failure?.problems ?? [],
          body as Record<string, string>,
        ),
      ),
      failure ? 400 : 200,
    );
  const addressInput = (b: FormBody) => ({
    address: b.address ?? '',
    displayName: b.displayName || null,
    queueId: Number(b.queueId) || 0,
    valid: b.valid === undefined ? true : b.valid === '1',
  });

  app.get('/system-addresses', async (req, reply) => showAddresses(req, reply));
  app.post<{ Body: FormBody }>('/system-addresses', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => addresses.create(addressInput(req.body), req.principal.name),
      '/system-addresses?notice=address-saved',
      (failed) => showAddresses(req, reply, failed, req.body),
    ),
  );
  app.post<Id & { Body: FormBody }>('/system-addresses/:id', async (req, reply) =>
    submitForm(
      req,
      reply,
      () =>
        addresses.update(
          idOf(req.params.id),
          { ...addressInput(req.body), valid: req.body.valid === '1' },
          req.principal.name,
        ),
      '/system-addresses?notice=address-saved',
      (failed) => showAddresses(req, reply, failed),
    ),
  );
  app.post<Id & { Body: FormBody }>('/system-addresses/:id/delete', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => addresses.remove(idOf(req.params.id), req.principal.name),
      '/system-addresses?notice=address-deleted',
    ),
  );

  app.get<{ Querystring: { accountId?: string; status?: string } }>('/messages', async (req, reply) => {
    const accountId =
      req.query.accountId && /^\d{1,9}$/.test(req.query.accountId) ? Number(req.query.accountId) : undefined;
    const status = ['dispatched', 'ignored', 'quarantined', 'stored'].includes(req.query.status ?? '')
      ? (req.query.status as 'dispatched')
      : undefined;
    const { items, total } = await messages.list({ accountId, status, limit: 200, offset: 0 });
    return send(
      reply,
      page(
        { title: 'Messages', session: req.session, active: 'messages', notice: noticeOf(req) },
        messagesPage(req.session!, items, total, { accountId, status }),
      ),
    );
  });
  app.post<Id & { Body: FormBody }>('/messages/:id/reprocess', async (req, reply) =>
    submitForm(req, reply, () => messages.reprocess(messageIdOf(req.params.id)), '/messages?notice=reprocessed'),
  );
};

export default adminPages;
