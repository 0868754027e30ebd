import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountView } from '@mailduct/core/accounts';
import { accountForm, accountOverview, formValuesOf, inputFromForm } from '../../ui/account-pages.js';
import { page } from '../../ui/layout.js';
import { idOf, noticeOf, send, submitForm, type FormBody, type FormFailure } from './ui-support.js';

type Id = { Params: { id: string } };

/** The mail account screens: overview, add, edit, delete. */
const accountPages: FastifyPluginAsync = async (app) => {
  const { accounts, queues } = app.services;
  const queueList = async () => (await queues.list({ limit: 500, offset: 0 })).items;
  const defaults = { pollIntervalSeconds: app.deps.config.pollIntervalSeconds };
  /** The add or edit form again, with what the user typed and the problems marked (400). */
  const showRefused = async (
    req: FastifyRequest<{ Body: FormBody }>,
    reply: FastifyReply,
    account: AccountView | null,
    failed: FormFailure,
  ) => {
    const values = { ...formValuesOf(account, defaults), ...typed(req.body) };
    const title = account ? 'Edit mail account' : 'Add mail account';
    return send(
      reply,
      page(
        { title, session: req.session, active: 'accounts', notice: { text: failed.message, error: true } },
        accountForm(req.session!, { account, values, queues: await queueList(), problems: failed.problems }),
      ),
      400,
    );
  };

  app.get<{ Querystring: { q?: string } }>('/accounts', async (req, reply) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const { items, total } = await accounts.list({ q: q || undefined, includeInvalid: true, limit: 500, offset: 0 });
    return send(
      reply,
      page(
        { title: 'Mail accounts', session: req.session, active: 'accounts', notice: noticeOf(req) },
        accountOverview(req.session!, items, total, q),
      ),
    );
  });

  app.get('/accounts/new', async (req, reply) =>
    send(
      reply,
      page(
        { title: 'Add mail account', session: req.session, active: 'accounts' },
        accountForm(req.session!, {
          account: null,
          values: formValuesOf(null, defaults),
          queues: await queueList(),
          problems: [],
        }),
      ),
    ),
  );

  app.post<{ Body: FormBody }>('/accounts', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => accounts.create(inputFromForm(req.body) as never, req.principal.name),
      (created) => (req.body.after === 'finish' ? '/accounts?notice=added' : `/accounts/${created.id}?notice=added`),
      (failed) => showRefused(req, reply, null, failed),
    ),
  );

  app.get<Id>('/accounts/:id', async (req, reply) => {
    const account = await accounts.get(idOf(req.params.id));
    return send(
      reply,
      page(
        { title: 'Edit mail account', session: req.session, active: 'accounts', notice: noticeOf(req) },
        accountForm(req.session!, {
          account,
          values: formValuesOf(account, defaults),
          queues: await queueList(),
          problems: [],
        }),
      ),
    );
  });

  app.post<Id & { Body: FormBody }>('/accounts/:id', async (req, reply) => {
    const id = idOf(req.params.id);
    return submitForm(
      req,
      reply,
      () => accounts.update(id, inputFromForm(req.body), req.principal.name),
      req.body.after === 'finish' ? '/accounts?notice=updated' : `/accounts/${id}?notice=updated`,
      async (failed) => showRefused(req, reply, await accounts.get(id), failed), // unchanged: the update was refused
    );
  });

  app.post<Id & { Body: FormBody }>('/accounts/:id/delete', async (req, reply) =>
    submitForm(req, reply, () => accounts.remove(idOf(req.params.id), req.principal.name), '/accounts?notice=deleted'),
  );
};

/** What the user typed, to show it again after a failed save (never the password). */
function typed(body: FormBody): Record<string, string> {
  const keep = [
    'type',
    'username',
    'host',
    'port',
    'imapFolder',
    'trusted',
    'dispatch',
    'queueId',
    'validity',
    'comment',
    'tlsVerify',
    'pollIntervalSeconds',
  ];
  return Object.fromEntries(keep.filter((k) => typeof body[k] === 'string').map((k) => [k, body[k] as string]));
}

export default accountPages;
