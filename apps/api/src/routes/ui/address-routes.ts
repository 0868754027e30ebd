import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { addressesPage } from '../../ui/admin-pages.js';
import { page } from '../../ui/layout.js';
import { idOf, noticeOf, send, submitForm, type FormBody, type FormFailure } from './ui-support.js';

type Id = { Params: { id: string } };

const addressInput = (b: FormBody) => ({
  address: b.address ?? '',
  displayName: b.displayName || null,
  queueId: Number(b.queueId) || 0,
  valid: b.valid === undefined ? true : b.valid === '1',
});

/** The system address screen: list, add, change, delete. */
const addressPages: FastifyPluginAsync = async (app) => {
  const { addresses } = app.services;
  app.get('/system-addresses', async (req, reply) => showAddresses(app, req, reply));
  app.post<{ Body: FormBody }>('/system-addresses', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => addresses.create(addressInput(req.body), req.principal.name),
      '/system-addresses?notice=address-saved',
      (failed) => showAddresses(app, req, reply, failed, req.body),
    ),
  );
  app.post<Id & { Body: FormBody }>('/system-addresses/:id', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => {
        const change = { ...addressInput(req.body), valid: req.body.valid === '1' };
        return addresses.update(idOf(req.params.id), change, req.principal.name);
      },
      '/system-addresses?notice=address-saved',
      (failed) => showAddresses(app, req, reply, failed),
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
};

/** The list with its add form; after a refused save, with the problems and what was typed (400). */
async function showAddresses(
  app: FastifyInstance,
  req: FastifyRequest,
  reply: FastifyReply,
  failure?: FormFailure,
  body: FormBody = {},
) {
  const addresses = (await app.services.addresses.list({ limit: 500, offset: 0 })).items;
  const queues = (await app.services.queues.list({ limit: 500, offset: 0 })).items;
  const notice = failure ? { text: failure.message, error: true } : noticeOf(req);
  const content = addressesPage(
    req.session!,
    addresses,
    queues,
    failure?.problems ?? [],
    body as Record<string, string>,
  );
  return send(
    reply,
    page({ title: 'System addresses', session: req.session, active: 'addresses', notice }, content),
    failure ? 400 : 200,
  );
}

export default addressPages;
