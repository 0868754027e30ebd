import { Type } from 'typebox';
import { DateTime, listQueryProperties, Nullable, NullableDateTime } from '@mailduct/core/schema';

export { DateTime, listQueryProperties, Nullable, NullableDateTime };

/** The error envelope of every 4xx/5xx response. */
const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Union([
        Type.Array(Type.Object({ field: Type.String(), problem: Type.String() }, { additionalProperties: true })),
        Type.Object({}, { additionalProperties: true }),
        Type.Null(),
      ]),
    }),
  },
  { $id: 'ErrorResponse' },
);

export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
} as const;

/** `:id` path parameter: a positive 32-bit integer. */
export const IdParams = Type.Object(
  { id: Type.Integer({ minimum: 1, maximum: 2147483647 }) },
  { additionalProperties: false },
);

/** `{ items, total, limit, offset }` for a list of T. */
export function pageOf<T extends ReturnType<typeof Type.Object>>(item: T) {
  return Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
}

export const NullableString = (maxLength: number) => Nullable(Type.String({ maxLength }));
