import { Type } from 'typebox';
import { ACCOUNT_LIMITS as L, ACCOUNT_TYPES, VALIDITIES } from '@mailduct/core/accounts';
import { DateTime, NullableDateTime, NullableString, listQueryProperties, pageOf } from '../common-schemas.js';

const AccountType = Type.Enum([...ACCOUNT_TYPES], { description: 'IMAP, IMAPS (implicit TLS), IMAPTLS (STARTTLS), POP3, POP3S, POP3TLS (STLS)' });
const Validity = Type.Enum([...VALIDITIES], { description: 'only valid accounts are fetched on schedule' });

const DispatchInput = Type.Object(
  {
    by: Type.Enum(['to', 'queue'], { description: '"to": by the recipient headers via system addresses; "queue": into queueId' }),
    queueId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const writable = {
  type: AccountType,
  host: Type.String({ minLength: 1, maxLength: L.host, description: 'host name or IP address, no scheme or port' }),
  port: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 65535 }), Type.Null()], { description: 'default: 143/993 (IMAP), 110/995 (POP3)' })),
  username: Type.String({ minLength: 1, maxLength: L.username }),
  password: Type.String({ minLength: 1, maxLength: L.password, writeOnly: true, description: 'stored encrypted, never returned' }),
  imapFolder: Type.Optional(Type.Union([Type.String({ maxLength: L.imapFolder }), Type.Null()], { description: 'IMAP types only; default INBOX' })),
  trusted: Type.Optional(Type.Boolean({ description: 'honour X-OTOBO-* headers in fetched mail' })),
  dispatch: Type.Optional(DispatchInput),
  validity: Type.Optional(Validity),
  comment: Type.Optional(NullableString(L.comment)),
  tlsVerify: Type.Optional(Type.Boolean({ description: 'verify the server certificate (default true)' })),
  pollIntervalSeconds: Type.Optional(Type.Integer({ minimum: L.pollIntervalMin, maximum: L.pollIntervalMax })),
};

export const AccountCreate = Type.Object(writable, { additionalProperties: false });

export const AccountPatch = Type.Object(
  {
    ...writable,
    type: Type.Optional(writable.type),
    host: Type.Optional(writable.host),
    username: Type.Optional(writable.username),
    password: Type.Optional({ ...writable.password, description: 'omit to keep the stored password' }),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const AccountView = Type.Object({
  id: Type.Integer(),
  type: AccountType,
  host: Type.String(),
  port: Type.Union([Type.Integer(), Type.Null()]),
  effectivePort: Type.Integer(),
  username: Type.String(),
  hasPassword: Type.Boolean(),
  imapFolder: Type.Union([Type.String(), Type.Null()]),
  trusted: Type.Boolean(),
  dispatch: Type.Object({ by: Type.String(), queueId: Type.Optional(Type.Integer()), queueName: Type.Optional(Type.Union([Type.String(), Type.Null()])) }),
  validity: Validity,
  comment: Type.Union([Type.String(), Type.Null()]),
  tlsVerify: Type.Boolean(),
  pollIntervalSeconds: Type.Integer(),
  state: Type.Object({
    lastRunAt: NullableDateTime,
    lastSuccessAt: NullableDateTime,
    lastError: Type.Union([Type.Object({ class: Type.String(), message: Type.String() }), Type.Null()]),
    consecutiveFailures: Type.Integer(),
    oversizedCount: Type.Integer(),
    backoffUntil: NullableDateTime,
    parkedReason: Type.Union([Type.String(), Type.Null()]),
  }),
  createdAt: DateTime,
  createdBy: Type.Union([Type.String(), Type.Null()]),
  updatedAt: DateTime,
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});

export const AccountListQuery = Type.Object(listQueryProperties, { additionalProperties: false });
export const AccountPage = pageOf(AccountView);
