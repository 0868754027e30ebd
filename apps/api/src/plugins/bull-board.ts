import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyPluginAsync } from 'fastify';
import { recordAudit } from '@mailduct/core/audit';

/** Where the boards live: every signed-in user sees the read-only one; admins may use the other. */
const BOARD_PATH = '/admin/queues';
const MANAGE_BOARD_PATH = '/admin/queues-manage';

/**
 * Bull Board for the `fetch` and `tickets` queues, behind the UI sign-in. At /admin/queues it is
 * read-only (Bull Board refuses every change on the server side): a signed-in user cannot add
 * forged ticket jobs or rewrite real ones. Retrying, removing or promoting jobs is at
 * /admin/queues-manage, for admins only, and every change made there is in the audit trail.
 */
const bullBoard: FastifyPluginAsync = async (app) => {
  const board = (path: string, readOnlyMode: boolean) => {
    const adapter = new FastifyAdapter();
    adapter.setBasePath(path);
    createBullBoard({
      queues: [
        new BullMQAdapter(app.deps.queues.fetch, { readOnlyMode }),
        new BullMQAdapter(app.deps.queues.tickets, { readOnlyMode }),
        new BullMQAdapter(app.deps.queues.webhooks, { readOnlyMode }),
      ],
      serverAdapter: adapter,
    });
    return adapter;
  };
  const readOnly = board(BOARD_PATH, true);
  const manage = board(MANAGE_BOARD_PATH, false);
  await app.register(async (scope) => {
    scope.addHook('onRequest', scope.requireSession);
    await scope.register(readOnly.registerPlugin(), { prefix: BOARD_PATH });
  });
  await app.register(async (scope) => {
    scope.addHook('onRequest', scope.requireSession);
    scope.addHook('onRequest', async (req, reply) => {
      if (reply.sent) return;
      if (req.principal.role !== 'admin')
        return reply
          .code(403)
          .send({ error: { code: 'FORBIDDEN', message: 'managing queues needs an admin token', details: null } });
    });
    // Written before the answer goes out, so a change the admin sees done is in the audit trail.
    scope.addHook('onSend', async (req, reply, payload) => {
      if (req.method === 'GET' || req.method === 'HEAD' || reply.statusCode >= 400 || req.principal?.role !== 'admin')
        return payload;
      const path = req.url.slice(MANAGE_BOARD_PATH.length).split('?')[0]!.slice(0, 300);
      await recordAudit(app.deps.prisma, {
        actor: req.principal.name,
        action: 'queue-job',
        entity: 'job',
        entityId: path,
        changes: { request: { from: null, to: `${req.method} ${path}` } },
      }).catch((err: unknown) => req.log.error({ err }, 'could not audit a Bull Board change'));
      return payload;
    });
    await scope.register(manage.registerPlugin(), { prefix: MANAGE_BOARD_PATH });
  });
};

export default bullBoard;
