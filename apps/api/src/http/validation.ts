import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Bodies are validated strictly (a string is never turned into a number or boolean, unknown
 * fields are errors); query strings and path parameters are coerced, since they are text.
 * `verbose` gives each issue its schema, whose `problem` is the wording the API reports.
 */
export function registerValidation(app: FastifyInstance): void {
  const strict = addFormats(
    new Ajv({
      allErrors: true,
      verbose: true,
      coerceTypes: false,
      useDefaults: true,
      removeAdditional: false,
      strict: false,
    }),
  );
  const coercing = addFormats(
    new Ajv({
      allErrors: true,
      verbose: true,
      coerceTypes: 'array',
      useDefaults: true,
      removeAdditional: false,
      strict: false,
    }),
  );
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
}
