import type { FastifyError, FastifyInstance } from 'fastify';
import { isMailductError, type FieldProblem } from '@mailduct/core/errors';
import { problemOf as schemaProblemOf, type SchemaIssue } from '@mailduct/core/schema';
import { codeForStatus, STATUS } from './status.js';

/** `{ error: { code, message, details } }` for every error; never a stack or a secret. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isMailductError(err)) {
      const status = STATUS[err.code] ?? 500;
      if (status >= 500) request.log.error({ code: err.code, err }, 'request failed');
      return reply.code(status).send({ error: { code: err.code, message: err.message, details: err.details ?? null } });
    }
    if (err.validation) {
      const details = dedupe((err.validation as SchemaIssue[]).map((v) => problemOf(v, err.validationContext)));
      const message = `Invalid ${err.validationContext ?? 'request'}: ${details.map((d) => `${d.field} ${d.problem}`).join('; ')}`;
      return reply.code(400).send({ error: { code: 'VALIDATION_FAILED', message, details } });
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'unexpected error');
      return reply
        .code(500)
        .send({ error: { code: 'INTERNAL', message: 'internal error; see the server log', details: null } });
    }
    return reply
      .code(status)
      .send({ error: { code: codeForStatus(status), message: clientMessage(err), details: null } });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: {
        code: 'NOT_FOUND',
        message: `no route for ${request.method} ${request.url.split('?')[0]}`,
        details: null,
      },
    });
  });
}

/** The field and problem of an ajv issue, in the wording of the schema (core's schema/field-problems.ts). */
function problemOf(v: SchemaIssue, context: string | undefined): FieldProblem & { in?: string } {
  return { ...schemaProblemOf(v), ...(context ? { in: context } : {}) };
}

function dedupe<T extends FieldProblem>(problems: T[]): T[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.problem}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function clientMessage(err: FastifyError): string {
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError)
    return 'request body is not valid JSON';
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'request body is empty but Content-Type is application/json';
  return err.message.slice(0, 300);
}
