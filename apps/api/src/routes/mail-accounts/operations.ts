import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AccountInput } from '@mailduct/core/accounts';
import { listRuns, type ProbeResult } from '@mailduct/core/fetch';
import { recordAudit } from '@mailduct/core/audit';
import { enqueueFetchNow } from '@mailduct/core/jobs';
import { errorResponses, IdParams } from '../common-schemas.js';
import {
  DryRunQuery,
  DryRunResponse,
  FetchNowBody,
  FetchNowResponse,
  ProbeResponse,
  RunPage,
  RunsQuery,
  TestSettingsBody,
} from './operation-schemas.js';

type Id = { Params: { id: number } };

const tags = ['mail accounts'];

/** Operations on mail accounts: fetch now, test connection, dry run, run history. */
const accountOperationRoutes: FastifyPluginAsync = async (app) => {
  fetchNow(app);
  testAccount(app);
  testSettings(app);
  dryRun(app);
  previewSettings(app);
  listAccountRuns(app);
};

function fetchNow(app: FastifyInstance): void {
  app.post<Id & { Body: { limit?: number } }>(
    '/:id/fetch',
    {
      schema: {
        tags,
        summary: 'Fetch mail now (also for a non-valid account)',
        params: IdParams,
        body: FetchNowBody,
        response: { 202: FetchNowResponse, ...errorResponses },
      },
      // `curl -X POST …/fetch` sends no body: that means no options, not a malformed request.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => {
      await app.services.accounts.get(req.params.id);
      const jobId = await enqueueFetchNow(app.deps.queues.fetch, req.params.id, req.body?.limit);
      await recordAudit(app.deps.prisma, {
        actor: req.principal.name,
        action: 'fetch-now',
        entity: 'mail_account',
        entityId: req.params.id,
        changes: { job: { from: null, to: jobId } },
      });
      return reply
        .code(202)
        .header('location', `/api/v1/fetch-jobs/${jobId}`)
        .send({ jobId, status: `/api/v1/fetch-jobs/${jobId}` });
    },
  );
}

function testAccount(app: FastifyInstance): void {
  app.post<Id>(
    '/:id/test',
    {
      schema: {
        tags,
        summary: 'Test the connection of a stored account',
        params: IdParams,
        response: { 200: ProbeResponse, ...errorResponses },
      },
    },
    async (req) => probeView(await app.services.probes.testAccount(req.params.id, req.principal.name)),
  );
}

function testSettings(app: FastifyInstance): void {
  app.post<{ Body: Partial<AccountInput> & { accountId?: number } }>(
    '/test',
    {
      schema: {
        tags,
        summary: 'Test connection settings before saving them',
        body: TestSettingsBody,
        response: { 200: ProbeResponse, ...errorResponses },
      },
    },
    async (req) => probeView(await app.services.probes.testSettings(req.body, req.principal.name)),
  );
}

function dryRun(app: FastifyInstance): void {
  app.post<Id & { Querystring: { limit: number } }>(
    '/:id/dry-run',
    {
      schema: {
        tags,
        summary: 'Where the messages on the server would go; changes nothing',
        params: IdParams,
        querystring: DryRunQuery,
        response: { 200: DryRunResponse, ...errorResponses },
      },
    },
    async (req) => app.services.probes.dryRun(req.params.id, req.query.limit, req.principal.name),
  );
}

function previewSettings(app: FastifyInstance): void {
  app.post<{ Body: Partial<AccountInput> & { accountId?: number }; Querystring: { limit: number } }>(
    '/preview',
    {
      schema: {
        tags,
        summary: 'A dry run of settings before saving them: what the initial import would take, and where it goes',
        body: TestSettingsBody,
        querystring: DryRunQuery,
        response: { 200: DryRunResponse, ...errorResponses },
      },
    },
    async (req) => app.services.probes.previewSettings(req.body, req.query.limit, req.principal.name),
  );
}

function listAccountRuns(app: FastifyInstance): void {
  app.get<Id & { Querystring: { limit: number; offset: number } }>(
    '/:id/runs',
    {
      schema: {
        tags,
        summary: 'Fetch run history, newest first',
        params: IdParams,
        querystring: RunsQuery,
        response: { 200: RunPage, ...errorResponses },
      },
    },
    async (req) => {
      await app.services.accounts.get(req.params.id);
      const { items, total } = await listRuns(app.deps.prisma, req.params.id, req.query);
      return { items, total, limit: req.query.limit, offset: req.query.offset };
    },
  );
}

function probeView(r: ProbeResult) {
  return r.ok ? { ok: true, messages: r.messages, bytes: r.bytes } : { ok: false, error: r.error };
}

export default accountOperationRoutes;
