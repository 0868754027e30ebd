import type { FastifyPluginAsync } from 'fastify';
import { fetchJobView } from '@mailduct/core/jobs';
import { errorResponses } from '../common-schemas.js';
import { FetchJobParams, FetchJobView } from '../mail-accounts/operation-schemas.js';

/** `/api/v1/fetch-jobs/:id`: the state and, when done, the result of a fetch-now job. */
const fetchJobRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: { id: string } }>(
    '/:id',
    {
      schema: {
        tags: ['mail accounts'],
        summary: 'State and result of a fetch job',
        params: FetchJobParams,
        response: { 200: FetchJobView, ...errorResponses },
      },
    },
    async (req) => fetchJobView(app.deps.queues.fetch, req.params.id),
  );
};

export default fetchJobRoutes;
