import { Type } from 'typebox';
import { QUEUE_LIMITS as L } from '@mailduct/core/queues';
import { DateTime, Nullable, NullableString, listQueryProperties, pageOf } from '../common-schemas.js';

const writable = {
  name: Type.String({ minLength: 1, maxLength: L.name }),
  valid: Type.Optional(Type.Boolean()),
  comment: Type.Optional(NullableString(L.comment)),
};

export const QueueCreate = Type.Object(writable, { additionalProperties: false });
export const QueuePatch = Type.Object(
  { ...writable, name: Type.Optional(writable.name) },
  { additionalProperties: false, minProperties: 1 },
);
export const QueueView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  valid: Type.Boolean(),
  comment: Nullable(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export const QueueListQuery = Type.Object(listQueryProperties, { additionalProperties: false });
export const QueuePage = pageOf(QueueView);
