import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@mailduct/core/errors';
import { renderErrorsDoc } from './errors-doc.js';

const FILE = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'ERRORS.md');

describe('docs/ERRORS.md', () => {
  it('is the rendering of the current error catalogue', () => {
    const doc = renderErrorsDoc();
    if (process.env.UPDATE_DOCS === '1') writeFileSync(FILE, doc);
    expect(
      readFileSync(FILE, 'utf8'),
      'docs/ERRORS.md is out of date: UPDATE_DOCS=1 npx vitest run apps/api/src/http/errors-doc.test.ts',
    ).toBe(doc);
  });

  it('has a row for every code', () => {
    const doc = renderErrorsDoc();
    for (const code of ERROR_CODES) expect(doc).toContain(`| \`${code}\` |`);
  });
});
