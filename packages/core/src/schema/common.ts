import { Type } from 'typebox';
import { Nullable } from './nullable.js';

/** A timestamp as the API returns it. */
export const DateTime = Type.String({ format: 'date-time' });
export const NullableDateTime = Nullable(DateTime);

/** The parameters every list query takes. */
export const listQueryProperties = {
  q: Type.Optional(
    Type.String({ maxLength: 200, pattern: '^[^\\u0000]*$', description: 'case-insensitive substring filter' }),
  ),
  includeInvalid: Type.Boolean({ default: true, description: 'include invalid and invalid-temporarily entries' }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
};
