import { Type } from 'typebox';
import { ACCOUNT_LIMITS as L, ACCOUNT_TYPES, VALIDITIES } from '@mailduct/core/accounts';
import {
  DateTime,
  Nullable,
  NullableDateTime,
  NullableString,
  listQueryProperties,
  pageOf,
} from '../common-schemas.js';

const AccountType = Type.Enum([...ACCOUNT_TYPES], {
  description: 'IMAP, IMAPS (implicit TLS), IMAPTLS (STARTTLS), POP3, POP3S, POP3TLS (STLS)',
});
const Validity = Type.Enum([...VALIDITIES], { description: 'only valid accounts are fetched on schedule' });

const DispatchInput = Type.Object(
  {
    by: Type.Enum(['to', 'queue'], {
      description: '"to": by the recipient headers via system addresses; "queue": into queueId',
    }),
    queueId: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const writable = {
  type: AccountType,
  host: Type.String({ minLength: 1, maxLength: L.host, description: 'host name or IP address, no scheme or port' }),
  port: Type.Optional(
    Nullable(Type.Integer({ minimum: 1, maximum: 65535 }), { description: 'default: 143/993 (IMAP), 110/995 (POP3)' }),
  ),
  username: Type.String({ minLength: 1, maxLength: L.username }),
  password: Type.String({
    minLength: 1,
    maxLength: L.password,
    writeOnly: true,
    description: 'stored encrypted, never returned',
  }),
  imapFolder: Type.Optional(
    Nullable(Type.String({ maxLength: L.imapFolder }), { description: 'IMAP types only; default INBOX' }),
  ),
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
  port: Nullable(Type.Integer()),
  effectivePort: Type.Integer(),
  username: Type.String(),
  hasPassword: Type.Boolean(),
  imapFolder: Nullable(Type.String()),
  trusted: Type.Boolean(),
  dispatch: Type.Object({
    by: Type.String(),
    queueId: Type.Optional(Type.Integer()),
    queueName: Type.Optional(Nullable(Type.String())),
  }),
  validity: Validity,
  comment: Nullable(Type.String()),
  tlsVerify: Type.Boolean(),
  pollIntervalSeconds: Type.Integer(),
  state: Type.Object({
    lastRunAt: NullableDateTime,
    lastSuccessAt: NullableDateTime,
    lastError: Nullable(Type.Object({ class: Type.String(), message: Type.String() })),
    consecutiveFailures: Type.Integer(),
    oversizedCount: Type.Integer(),
    backoffUntil: NullableDateTime,
    parkedReason: Nullable(Type.String()),
    nextRunAt: Type.Optional(NullableDateTime),
  }),
  createdAt: DateTime,
  createdBy: Nullable(Type.String()),
  updatedAt: DateTime,
  updatedBy: Nullable(Type.String()),
});

export const AccountListQuery = Type.Object(listQueryProperties, { additionalProperties: false });
export const AccountPage = pageOf(AccountView);
