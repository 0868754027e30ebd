import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyPluginAsync } from 'fastify';

/** Bull Board at /admin/queues for the `fetch` and `tickets` queues, behind the UI sign-in. */
const bullBoard: FastifyPluginAsync = async (app) => {
  const adapter = new FastifyAdapter();
  adapter.setBasePath('/admin/queues');
  createBullBoard({ queues: [new BullMQAdapter(app.deps.queues.fetch), new BullMQAdapter(app.deps.queues.tickets)], serverAdapter: adapter });
  await app.register(async (scope) => {
    scope.addHook('onRequest', scope.requireSession);
    await scope.register(adapter.registerPlugin(), { prefix: '/admin/queues' });
  });
};

export default bullBoard;
