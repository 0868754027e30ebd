import type { FastifyPluginAsync } from 'fastify';
import { messagesPage } from '../../ui/admin-pages.js';
import { page } from '../../ui/layout.js';
import { noticeOf, send, submitForm, type FormBody } from './ui-support.js';

type Id = { Params: { id: string } };

const STATUSES = ['dispatched', 'ignored', 'quarantined'] as const;
type Status = (typeof STATUSES)[number];

/** Message ids are bigint: any safe integer; anything else is no message (404). */
const messageIdOf = (raw: string) => (/^\d{1,15}$/.test(raw) ? Number(raw) : 0);

/** The stored messages screen, filtered by account and outcome, and reprocessing a quarantined one. */
const messagePages: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: { accountId?: string; status?: string } }>('/messages', async (req, reply) => {
    const accountId =
      req.query.accountId && /^\d{1,9}$/.test(req.query.accountId) ? Number(req.query.accountId) : undefined;
    const status = STATUSES.find((s): s is Status => s === req.query.status);
    const { items, total } = await app.services.messages.list({ accountId, status, limit: 200, offset: 0 });
    return send(
      reply,
      page(
        { title: 'Messages', session: req.session, active: 'messages', notice: noticeOf(req) },
        messagesPage(req.session!, items, total, { accountId, status }),
      ),
    );
  });
  app.post<Id & { Body: FormBody }>('/messages/:id/reprocess', async (req, reply) =>
    submitForm(
      req,
      reply,
      () => app.services.messages.reprocess(messageIdOf(req.params.id)),
      '/messages?notice=reprocessed',
    ),
  );
};

export default messagePages;
