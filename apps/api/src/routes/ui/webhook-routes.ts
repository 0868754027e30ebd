import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isWebhookEvent, type WebhookView } from '@mailduct/core/webhooks';
import { html } from '../../ui/html.js';
import { page } from '../../ui/layout.js';
import {
  deliveryLog,
  webhookForm,
  webhookOverview,
  webhookSecretShown,
  webhookValuesFromForm,
  webhookValuesOf,
  type WebhookFormValues,
} from '../../ui/webhook-pages.js';
import {
  checkCsrf,
  idOf,
  noticeOf,
  problemsOf,
  send,
  submitForm,
  type FormBody,
  type FormFailure,
} from './ui-support.js';

type Id = { Params: { id: string } };
const head = (
  req: FastifyRequest,
  title: string,
  notice: { text: string; error?: boolean } | null = noticeOf(req),
) => ({
  title,
  session: req.session,
  active: 'webhooks' as const,
  notice,
});

/** The webhook screens: list, add (the secret shown once), edit with the delivery log, redeliver, delete. */
const webhookPages: FastifyPluginAsync = async (app) => {
  const { webhooks } = app.services;
  app.get('/webhooks', async (req, reply) =>
    send(reply, page(head(req, 'Webhooks'), webhookOverview(req.session!, await webhooks.list()))),
  );
  app.get('/webhooks/new', async (req, reply) => showForm(req, reply, null, webhookValuesOf(null)));
  // Not a redirect: the secret is shown on this answer, this once, and never put in a URL.
  app.post<{ Body: FormBody }>('/webhooks', async (req, reply) => {
    if (!checkCsrf(req, reply)) return reply;
    const values = webhookValuesFromForm(req.body);
    try {
      const created = await webhooks.create(bodyOf(values), req.principal.name);
      return send(reply, page(head(req, 'Webhook added', null), webhookSecretShown(created)), 201);
    } catch (err) {
      const failed = problemsOf(err);
      if (!failed) throw err;
      return showForm(req, reply, null, values, failed);
    }
  });
  app.get<Id>('/webhooks/:id', async (req, reply) => {
    const hook = await webhooks.get(idOf(req.params.id));
    return showForm(req, reply, hook, webhookValuesOf(hook));
  });
  app.post<Id & { Body: FormBody }>('/webhooks/:id', async (req, reply) => {
    const id = idOf(req.params.id);
    const values = webhookValuesFromForm(req.body);
    return submitForm(
      req,
      reply,
      () => webhooks.update(id, bodyOf(values), req.principal.name),
      `/webhooks/${id}?notice=webhook-saved`,
      async (failed) => showForm(req, reply, await webhooks.get(id), values, failed),
    );
  });
  app.post<Id & { Body: FormBody }>('/webhooks/:id/delete', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => webhooks.remove(idOf(req.params.id), req.principal.name),
      '/webhooks?notice=webhook-deleted',
    ),
  );
  app.post<{ Params: { id: string; deliveryId: string }; Body: FormBody }>(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    async (req, reply) => {
      const id = idOf(req.params.id);
      return submitForm(
        req,
        reply,
        () => webhooks.redeliver(id, req.params.deliveryId, req.principal.name),
        `/webhooks/${id}?notice=redelivered#deliveries`,
      );
    },
  );
};

function bodyOf(v: WebhookFormValues) {
  const events = v.events.filter(isWebhookEvent);
  return { url: v.url, events, enabled: v.enabled, description: v.description === '' ? null : v.description };
}

/** The add (no webhook) or edit form with the delivery log; after a refused save with what was typed and the problems (400). */
async function showForm(
  req: FastifyRequest,
  reply: FastifyReply,
  hook: WebhookView | null,
  values: WebhookFormValues,
  failed?: FormFailure,
) {
  const title = hook ? 'Edit webhook' : 'Add webhook';
  const notice = failed ? { text: failed.message, error: true } : noticeOf(req);
  const form = webhookForm(req.session!, { webhook: hook, values, problems: failed?.problems ?? [] });
  const log = hook
    ? deliveryLog(req.session!, hook.id, await req.server.services.webhooks.deliveries(hook.id))
    : html``;
  return send(reply, page(head(req, title, notice), html`${form}${log}`), failed ? 400 : 200);
}

export default webhookPages;
