import { Type } from 'typebox';
import { QUEUE_LIMITS as L } from '@mailduct/core/queues';
import { DateTime, Nullable, NullableString, listQueryProperties, pageOf } from '../common-schemas.js';

const writable = {
  address: Type.String({
    minLength: 1,
    maxLength: L.address,
    description: 'e-mail address; stored lower-case, unique',
  }),
  displayName: Type.Optional(NullableString(L.displayName)),
  queueId: Type.Integer({ minimum: 1, description: 'mail to this address is dispatched into this queue' }),
  valid: Type.Optional(Type.Boolean()),
  comment: Type.Optional(NullableString(L.comment)),
};

export const AddressCreate = Type.Object(writable, { additionalProperties: false });
export const AddressPatch = Type.Object(
  { ...writable, address: Type.Optional(writable.address), queueId: Type.Optional(writable.queueId) },
  { additionalProperties: false, minProperties: 1 },
);
export const AddressView = Type.Object({
  id: Type.Integer(),
  address: Type.String(),
  displayName: Nullable(Type.String()),
  queueId: Type.Integer(),
  queueName: Nullable(Type.String()),
  valid: Type.Boolean(),
  comment: Nullable(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export const AddressListQuery = Type.Object(
  { ...listQueryProperties, queueId: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);
export const AddressPage = pageOf(AddressView);
