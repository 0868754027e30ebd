import type { FastifyPluginAsync } from 'fastify';
import { addressesPage, messagesPage, queuesPage } from '../../ui/admin-pages.js';
import { page } from '../../ui/layout.js';
import { checkCsrf, noticeOf, problemsOf, send, type FormBody } from './ui-support.js';

type Id = { Params: { id: string } };

/** Queue, system address and message screens. */
const adminPages: FastifyPluginAsync = async (app) => {
  const { queues, addresses, messages } = app.services;
  const idOf = (raw: string) => (/^\d{1,15}$/.test(raw) ? Number(raw) : 0);
  const allQueues = async () => (await queues.list({ limit: 500, offset: 0 })).items;

  const showQueues = async (req: Parameters<typeof checkCsrf>[0], reply: Parameters<typeof checkCsrf>[1], failure?: { problems: { field: string; problem: string }[]; message: string }, body: FormBody = {}) =>
    send(reply, page({ title: 'Queues', session: req.session, active: 'queues', notice: failure ? { text: failure.message, error: true } : noticeOf(req) }, queuesPage(req.session!, await allQueues(), failure?.problems ?? [], body as Record<string, string>)), failure ? 400 : 200);

  app.get('/queues', async (req, reply) => showQueues(req, reply));
  app.post<{ Body: FormBody }>('/queues', async (req, reply) => {
    if (!checkCsrf(req, reply)) return reply;
    try {
      await queues.create({ name: req.body.name ?? '', comment: req.body.comment || null, valid: req.body.valid === '1' }, req.principal.name);
      return reply.redirect('/queues?notice=queue-saved', 303);
    } catch (err) {
      const failed = problemsOf(err);
      if (!failed) throw err;
      return showQueues(req, reply, failed, req.body);
    }
  });
  app.post<Id & { Body: FormBody }>('/queues/:id', async (req, reply) => {
    if (!checkCsrf(req, reply)) return reply;
    try {
      await queues.update(idOf(req.params.id), { name: req.body.name ?? '', comment: req.body.comment || null, valid: req.body.valid === '1' }, req.principal.name);
      return reply.redirect('/queues?notice=queue-saved', 303);
    } catch (err) {
      const failed = problemsOf(err);
      if (!failed) throw err;
      return showQueues(req, reply, failed);
    }
  });
  app.post<Id & { Body: FormBody }>('/queues/:id/delete', async (req, reply) => {
    if (!checkCsrf(req, reply)) return reply;
    try {
      await queues.remove(idOf(req.params.id), req.principal.name);
      return reply.redirect('/queues?notice=queue-deleted', 303);
    } catch (err) {
      const failed = problemsOf(err);
      if (!failed) throw err;
      return showQueues(req, reply, failed);
    }
  });

  const showAddresses = async (req: Parameters<typeof checkCsrf>[0], reply: Parameters<typeof checkCsrf>[1], failure?: { problems: { field: string; problem: string }[]; message: string }, body: FormBody = {}) =>
    send(
      reply,
      page({ title: 'System addresses', session: req.session, active: 'addresses', notice: failure ? { text: failure.message, error: true } : noticeOf(req) }, addressesPage(req.session!, (await addresses.list({ limit: 500, offset: 0 })).items, await allQueues(), failure?.problems ?? [], body as Record<string, string>)),
      failure ? 400 : 200,
    );
  const addressInput = (b: FormBody) => ({ address: b.address ?? '', displayName: b.displayName || null, queueId: Number(b.queueId) || 0, valid: b.valid === undefined ? true : b.valid === '1' });

  app.get('/system-addresses', async (req, reply) => showAddresses(req, reply));
  app.post<{ Body: FormBody }>('/system-addresses', async (req, reply) => {
    if (!checkCsrf(req, reply)) return reply;
    try {
      await addresses.create(addressInput(req.body), req.principal.name);
      return reply.redirect('/system-addresses?notice=address-saved', 303);
    } catch (err) {
      const failed = problemsOf(err);
      if (!failed) throw err;
      return showAddresses(req, reply, failed, req.body);
    }
  });
  app.post<Id & { Body: FormBody }>('/system-addresses/:id', async (req, reply) => {
    if (!checkCsrf(req, reply)) return reply;
    try {
      await addresses.update(idOf(req.params.id), { ...addressInput(req.body), valid: req.body.valid === '1' }, req.principal.name);
      return reply.redirect('/system-addresses?notice=address-saved', 303);
    } catch (err) {
      const failed = problemsOf(err);
      if (!failed) throw err;
      return showAddresses(req, reply, failed);
    }
  });
  app.post<Id & { Body: FormBody }>('/system-addresses/:id/delete', async (req, reply) => {
    if (!checkCsrf(req, reply)) return reply;
    await addresses.remove(idOf(req.params.id), req.principal.name);
    return reply.redirect('/system-addresses?notice=address-deleted', 303);
  });

  app.get<{ Querystring: { accountId?: string; status?: string } }>('/messages', async (req, reply) => {
    const accountId = req.query.accountId && /^\d{1,9}$/.test(req.query.accountId) ? Number(req.query.accountId) : undefined;
    const status = ['dispatched', 'ignored', 'quarantined', 'stored'].includes(req.query.status ?? '') ? (req.query.status as 'dispatched') : undefined;
    const { items, total } = await messages.list({ accountId, status, limit: 200, offset: 0 });
    return send(reply, page({ title: 'Messages', session: req.session, active: 'messages', notice: noticeOf(req) }, messagesPage(req.session!, items, total, { accountId, status })));
  });
  app.post<Id & { Body: FormBody }>('/messages/:id/reprocess', async (req, reply) => {
    if (!checkCsrf(req, reply)) return reply;
    await messages.reprocess(idOf(req.params.id));
    return reply.redirect('/messages?notice=reprocessed', 303);
  });
};

export default adminPages;
