import { ERROR_ADVICE, ERROR_CLASS_OF, ERROR_CODES } from '@mailduct/core/errors';
import { STATUS } from './status.js';

/** docs/ERRORS.md, generated from the error catalogue (a test keeps the file current). */
export function renderErrorsDoc(): string {
  const rows = ERROR_CODES.map(
    (code) => `| \`${code}\` | ${ERROR_CLASS_OF[code] ?? '—'} | ${STATUS[code]} | ${ERROR_ADVICE[code]} |`,
  );
  return [
    '# Errors',
    '',
    'Every error mailduct reports has a stable code. API errors look like',
    '`{ "error": { "code": "…", "message": "…", "details": … } }` with the HTTP status below; a failed',
    'fetch run records its class and code (run history, `state.lastError`, metrics). Mail server errors',
    'reach the API only in test connection and dry run results, which answer 200 with the error inside.',
    '',
    'Generated from `packages/core/src/errors/` and `apps/api/src/http/status.ts` by',
    '`apps/api/src/http/errors-doc.ts`; `UPDATE_DOCS=1 npx vitest run apps/api/src/http/errors-doc.test.ts` rewrites it.',
    '',
    '| code | class | HTTP | what to do |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
