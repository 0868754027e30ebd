import { Type, type Static, type TSchema } from 'typebox';

/**
 * `schema` or null, as `type: [t, "null"]` rather than anyOf: fast-json-stringify serialises
 * anyOf by validating every value with ajv, which made list responses several times slower.
 */
export function Nullable<T extends TSchema>(schema: T, extra: Record<string, unknown> = {}) {
  const s = schema as unknown as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...schema, ...extra, type: [s.type, 'null'] });
}
