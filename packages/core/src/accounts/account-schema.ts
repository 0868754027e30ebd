import { Type, type Static } from 'typebox';
import { DateTime, listQueryProperties, Nullable, NullableDateTime } from '../schema/index.js';
import { ACCOUNT_LIMITS as L, ACCOUNT_TYPES, VALIDITIES } from './account-types.js';
import { AFTER_FETCH_ACTIONS, INITIAL_IMPORTS } from './mailbox-policy.js';

/**
 * The mail account, defined once: the API validates and documents requests and responses with
 * these schemas (through Fastify's TypeBox type provider), the services check input from the
 * API and the UI with them (schemaProblems), the UI form takes its limits from them, and the
 * TypeScript types are derived from them. Each property names its `x-problem` once. What a schema
 * cannot say (a host name's form, control characters, that the queue exists) is in account-rules.ts.
 */
const typeSchema = Type.Enum([...ACCOUNT_TYPES], {
  description: 'IMAP, IMAPS (implicit TLS), IMAPTLS (STARTTLS), POP3, POP3S, POP3TLS (STLS)',
  'x-problem': `must be one of ${ACCOUNT_TYPES.join(', ')}`,
});
const validitySchema = Type.Enum([...VALIDITIES], {
  description: 'only valid accounts are fetched on schedule',
  'x-problem': `must be one of ${VALIDITIES.join(', ')}`,
});
const text = (max: number, extra: Record<string, unknown> = {}) =>
  Type.String({ minLength: 1, maxLength: max, 'x-problem': `must be text of at most ${max} characters`, ...extra });
const flag = (description: string) => Type.Boolean({ description, 'x-problem': 'must be true or false' });

const DispatchInput = Type.Object(
  {
    by: Type.Enum(['to', 'queue'], {
      description: '"to": by the recipient headers via system addresses; "queue": into queueId',
      'x-problem': 'must be "to" or "queue"',
    }),
    queueId: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 2147483647, 'x-problem': 'must be a whole number from 1 to 2147483647' }),
    ),
  },
  { additionalProperties: false, 'x-problem': 'must be {"by":"to"} or {"by":"queue","queueId":N}' },
);

const AuthInput = Type.Object(
  {
    method: Type.Enum(['password', 'oauth2'], {
      description: '"password" (the default) or "oauth2": sign in with a token of providerId',
      'x-problem': 'must be "password" or "oauth2"',
    }),
    providerId: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 2147483647, 'x-problem': 'must be a whole number from 1 to 2147483647' }),
    ),
    delegate: Type.Optional(
      flag('the token belongs to a delegate, not to the mailbox itself (a shared mailbox); default false'),
    ),
  },
  {
    additionalProperties: false,
    'x-problem': 'must be {"method":"password"} or {"method":"oauth2","providerId":N}',
  },
);

const writable = {
  type: typeSchema,
  host: text(L.host, { description: 'host name or IP address, no scheme or port' }),
  port: Type.Optional(
    Nullable(Type.Integer({ minimum: 1, maximum: 65535 }), {
      description: 'default: 143/993 (IMAP), 110/995 (POP3)',
      'x-problem': 'must be a whole number from 1 to 65535',
    }),
  ),
  username: text(L.username),
  password: Type.Optional(
    text(L.password, { writeOnly: true, description: 'stored encrypted, never returned; not with auth oauth2' }),
  ),
  auth: Type.Optional(AuthInput),
  imapFolder: Type.Optional(
    Nullable(Type.String({ maxLength: L.imapFolder }), {
      description: 'IMAP types only; default INBOX. One folder: the same as imapFolders with one entry',
      'x-problem': `must be text of at most ${L.imapFolder} characters`,
    }),
  ),
  imapFolders: Type.Optional(
    Nullable(
      Type.Array(Type.String({ minLength: 1, maxLength: L.imapFolder }), { minItems: 1, maxItems: L.imapFolders }),
      {
        description: 'IMAP types only: the folders read, each with its own cursor; default ["INBOX"]',
        'x-problem': `must be a list of 1 to ${L.imapFolders} folder names of at most ${L.imapFolder} characters`,
      },
    ),
  ),
  afterFetch: Type.Optional(
    Type.Enum([...AFTER_FETCH_ACTIONS], {
      description:
        'what happens on the server once a message is stored and its ticket job enqueued: delete (default, OTOBO), markSeen (IMAP), moveTo moveToFolder (IMAP), keep',
      'x-problem': `must be one of ${AFTER_FETCH_ACTIONS.join(', ')}`,
    }),
  ),
  moveToFolder: Type.Optional(
    Nullable(text(L.imapFolder), { description: 'the folder of afterFetch moveTo; it must exist on the server' }),
  ),
  initialImport: Type.Optional(
    Type.Enum([...INITIAL_IMPORTS], {
      description:
        'which mail a folder read for the first time gives: all (default), none (only mail arriving after the account was added), since importSince; mail left out stays on the server untouched',
      'x-problem': `must be one of ${INITIAL_IMPORTS.join(', ')}`,
    }),
  ),
  importSince: Type.Optional(
    Nullable(Type.String({ format: 'date-time' }), {
      description: 'the date of initialImport since (ISO 8601 date-time)',
      'x-problem': 'must be an ISO 8601 date-time such as 2026-01-01T00:00:00Z',
    }),
  ),
  push: Type.Optional(
    flag('IMAP types only: hold an IDLE connection and fetch within seconds of new mail (default false)'),
  ),
  trusted: Type.Optional(flag('honour X-OTOBO-* headers in fetched mail')),
  dispatch: Type.Optional(DispatchInput),
  validity: Type.Optional(validitySchema),
  comment: Type.Optional(
    Nullable(Type.String({ maxLength: L.comment }), { 'x-problem': `must be text of at most ${L.comment} characters` }),
  ),
  tlsVerify: Type.Optional(flag('verify the server certificate (default true)')),
  pollIntervalSeconds: Type.Optional(
    Type.Integer({
      minimum: L.pollIntervalMin,
      maximum: L.pollIntervalMax,
      'x-problem': `must be a whole number of seconds from ${L.pollIntervalMin} to ${L.pollIntervalMax}`,
    }),
  ),
};

/** `POST /api/v1/mail-accounts`. */
export const AccountCreateSchema = Type.Object(writable, { additionalProperties: false });

/** `PATCH /api/v1/mail-accounts/:id`: any of the fields; an omitted password keeps the stored one. */
export const AccountPatchSchema = Type.Object(
  {
    ...writable,
    type: Type.Optional(writable.type),
    host: Type.Optional(writable.host),
    username: Type.Optional(writable.username),
    password: Type.Optional({ ...writable.password, description: 'omit to keep the stored password' }),
  },
  { additionalProperties: false, minProperties: 1, 'x-problem': 'must change at least one field' },
);

/** An account as the API returns it: never the password, only `hasPassword`. */
export const AccountViewSchema = Type.Object({
  id: Type.Integer(),
  type: typeSchema,
  host: Type.String(),
  port: Nullable(Type.Integer()),
  effectivePort: Type.Integer(),
  username: Type.String(),
  hasPassword: Type.Boolean(),
  auth: Type.Object({
    method: Type.Enum(['password', 'oauth2']),
    providerId: Type.Optional(Type.Integer()),
    providerName: Type.Optional(Nullable(Type.String())),
    delegate: Type.Optional(Type.Boolean()),
    state: Type.Optional(
      Type.Enum(['ready', 'authorization_required', 'reauthorization_required'], {
        description: 'ready: a token can be had; otherwise an administrator must (re-)authorize the account',
      }),
    ),
    identity: Type.Optional(Nullable(Type.String({ description: 'who signed in, where the provider says' }))),
    authorizedAt: Type.Optional(NullableDateTime),
    refreshTokenExpiresAt: Type.Optional(NullableDateTime),
  }),
  imapFolder: Nullable(Type.String()),
  imapFolders: Type.Array(Type.String()),
  afterFetch: Type.Enum([...AFTER_FETCH_ACTIONS]),
  moveToFolder: Nullable(Type.String()),
  initialImport: Type.Enum([...INITIAL_IMPORTS]),
  importSince: NullableDateTime,
  push: Type.Boolean(),
  trusted: Type.Boolean(),
  dispatch: Type.Object({
    by: Type.String(),
    queueId: Type.Optional(Type.Integer()),
    queueName: Type.Optional(Nullable(Type.String())),
  }),
  validity: validitySchema,
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
    watcher: Type.Optional(
      Nullable(
        Type.Object({
          owner: Type.String({ description: 'the fetcher process (host:pid) holding the IDLE connection' }),
          since: DateTime,
          state: Type.Enum(['connecting', 'watching', 'unsupported', 'waiting'], {
            description:
              'watching: IDLE held; connecting: after a failure; unsupported: no IDLE, polled only; waiting: no connection to the host free in that process (MAILDUCT_MAX_CONNECTIONS_PER_HOST), polled until one is',
          }),
          reason: Nullable(Type.String()),
        }),
        { description: 'push accounts: who watches the account now (null: nobody yet)' },
      ),
    ),
  }),
  createdAt: DateTime,
  createdBy: Nullable(Type.String()),
  updatedAt: DateTime,
  updatedBy: Nullable(Type.String()),
});

/** `GET /api/v1/mail-accounts` query. */
export const AccountListQuerySchema = Type.Object(listQueryProperties, { additionalProperties: false });

export type AccountCreateBody = Static<typeof AccountCreateSchema>;
export type AccountPatchBody = Static<typeof AccountPatchSchema>;
export type AccountListQuery = Static<typeof AccountListQuerySchema>;
