import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountView } from '@mailduct/core/accounts';
import { accountForm, accountOverview, formValuesOf, inputFromForm } from '../../ui/account-pages.js';
import { html } from '../../ui/html.js';
import { page, type Notice } from '../../ui/layout.js';
import { oauth2Panel } from '../../ui/oauth2-panel.js';
import { idOf, noticeOf, send, submitForm, type FormBody, type FormFailure } from './ui-support.js';

type Id = { Params: { id: string } };

/** The mail account screens: overview, add, edit, delete. */
const accountPages: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: { q?: string } }>('/accounts', async (req, reply) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const list = { q: q || undefined, includeInvalid: true, limit: 500, offset: 0 };
    const { items, total } = await app.services.accounts.list(list);
    const head = { title: 'Mail accounts', session: req.session, active: 'accounts' as const, notice: noticeOf(req) };
    const pushed = items.filter((a) => a.push).map((a) => a.id);
    const found = await app.services.watchers.readMany(pushed).catch(() => pushed.map(() => null));
    const watches = new Map(pushed.map((id, i) => [id, found[i] ?? null]));
    return send(reply, page(head, accountOverview(req.session!, { accounts: items, total, q, watches })));
  });

  app.get('/accounts/new', async (req, reply) => showForm(app, req, reply, { account: null }));

  app.post<{ Body: FormBody }>('/accounts', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => app.services.accounts.create(inputFromForm(req.body) as never, req.principal.name),
      (created) => (req.body.after === 'finish' ? '/accounts?notice=added' : `/accounts/${created.id}?notice=added`),
      (failed) => showRefused(app, req, reply, null, failed),
    ),
  );

  app.get<Id>('/accounts/:id', async (req, reply) => {
    const account = await app.services.accounts.get(idOf(req.params.id));
    return showForm(app, req, reply, { account, notice: noticeOf(req) });
  });

  app.post<Id & { Body: FormBody }>('/accounts/:id', async (req, reply) => {
    const id = idOf(req.params.id);
    return submitForm(
      req,
      reply,
      () => app.services.accounts.update(id, inputFromForm(req.body), req.principal.name),
      req.body.after === 'finish' ? '/accounts?notice=updated' : `/accounts/${id}?notice=updated`,
      // The stored account is unchanged: the update was refused.
      async (failed) => showRefused(app, req, reply, await app.services.accounts.get(id), failed),
    );
  });

  app.post<Id & { Body: FormBody }>('/accounts/:id/delete', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => app.services.accounts.remove(idOf(req.params.id), req.principal.name),
      '/accounts?notice=deleted',
    ),
  );
};

interface FormPage {
  account: AccountView | null;
  /** What the user typed, over the account's (or the defaults') values. */
  typed?: Record<string, string>;
  problems?: FormFailure['problems'];
  notice?: Notice;
  status?: number;
}

/** The add (no account) or edit form. */
async function showForm(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, form: FormPage) {
  const defaults = { pollIntervalSeconds: app.deps.config.pollIntervalSeconds };
  const values = { ...formValuesOf(form.account, defaults), ...form.typed };
  const queues = (await app.services.queues.list({ limit: 500, offset: 0 })).items;
  const providers = await app.services.providers.list();
  const title = form.account ? 'Edit mail account' : 'Add mail account';
  const problems = form.problems ?? [];
  const watch = form.account?.push ? await app.services.watchers.read(form.account.id).catch(() => null) : null;
  const body = html`${accountForm(req.session!, { account: form.account, values, queues, providers, problems, watch })}${
    form.account ? oauth2Panel(form.account, providers) : ''
  }`;
  return send(
    reply,
    page({ title, session: req.session, active: 'accounts' as const, notice: form.notice }, body),
    form.status,
  );
}

/** The add or edit form again, with what the user typed and the problems marked (400). */
async function showRefused(
  app: FastifyInstance,
  req: FastifyRequest<{ Body: FormBody }>,
  reply: FastifyReply,
  account: AccountView | null,
  failed: FormFailure,
) {
  const notice = { text: failed.message, error: true };
  return showForm(app, req, reply, { account, typed: typed(req.body), problems: failed.problems, notice, status: 400 });
}

/** What the user typed, to show it again after a failed save (never the password). */
function typed(body: FormBody): Record<string, string> {
  const keep = [
    'type',
    'username',
    'host',
    'port',
    'imapFolders',
    'afterFetch',
    'moveToFolder',
    'initialImport',
    'importSince',
    'push',
    'trusted',
    'dispatch',
    'queueId',
    'validity',
    'comment',
    'tlsVerify',
    'pollIntervalSeconds',
    'auth',
    'delegate',
  ];
  return Object.fromEntries(keep.filter((k) => typeof body[k] === 'string').map((k) => [k, body[k] as string]));
}

export default accountPages;
