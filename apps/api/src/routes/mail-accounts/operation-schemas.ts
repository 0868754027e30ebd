import { Type } from 'typebox';
import { ACCOUNT_LIMITS as L, ACCOUNT_TYPES, AccountCreateSchema } from '@mailduct/core/accounts';
import { DateTime, Nullable, NullableDateTime, NullableString, pageOf } from '../common-schemas.js';

const RunError = Type.Object({ class: Type.String(), code: Type.String(), message: Type.String() });

export const ProbeResponse = Type.Object({
  ok: Type.Boolean(),
  messages: Type.Optional(Type.Integer()),
  bytes: Type.Optional(Type.Integer()),
  error: Type.Optional(RunError),
});

/** Settings to test before saving; without a password, `accountId`'s stored one is used. */
export const TestSettingsBody = Type.Object(
  {
    accountId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    type: Type.Enum([...ACCOUNT_TYPES]),
    host: Type.String({ minLength: 1, maxLength: L.host }),
    port: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 65535 }))),
    username: Type.String({ minLength: 1, maxLength: L.username }),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: L.password, writeOnly: true })),
    imapFolder: Type.Optional(NullableString(L.imapFolder)),
    imapFolders: AccountCreateSchema.properties.imapFolders,
    afterFetch: AccountCreateSchema.properties.afterFetch,
    moveToFolder: AccountCreateSchema.properties.moveToFolder,
    initialImport: AccountCreateSchema.properties.initialImport,
    importSince: AccountCreateSchema.properties.importSince,
    tlsVerify: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);

export const FetchNowBody = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        description: 'messages in this run (OTOBO used 15 for "Fetch mail")',
      }),
    ),
  },
  { additionalProperties: false },
);
export const FetchNowResponse = Type.Object({ jobId: Type.String(), status: Type.String() });

export const DryRunQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) },
  { additionalProperties: false },
);
const DatedFolder = {
  total: Type.Integer({ description: 'messages on the server' }),
  oldest: NullableDateTime,
  newest: NullableDateTime,
  wouldImport: Type.Integer({ description: 'how many of them the initial import takes' }),
};
export const DryRunResponse = Type.Object({
  total: Type.Integer({ description: 'messages on the server' }),
  import: Type.Object(
    {
      initialImport: Type.Enum(['all', 'none', 'since']),
      cutoff: NullableDateTime,
      ...DatedFolder,
      folders: Type.Array(Type.Object({ folder: Nullable(Type.String()), ...DatedFolder })),
    },
    { description: 'what a first run would take: mail that arrived before the cutoff stays on the server' },
  ),
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      folder: Nullable(Type.String()),
      seq: Type.Integer(),
      size: Type.Integer(),
      subject: Nullable(Type.String()),
      from: Nullable(Type.String()),
      date: NullableDateTime,
      status: Type.Enum(['dispatched', 'ignored', 'quarantined', 'oversized']),
      queue: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
      by: Nullable(Type.String()),
      reason: Type.String(),
    }),
  ),
});

export const RunsQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
  },
  { additionalProperties: false },
);
export const RunPage = pageOf(
  Type.Object({
    id: Type.Integer(),
    trigger: Type.String(),
    worker: Nullable(Type.String()),
    outcome: Type.String(),
    startedAt: DateTime,
    finishedAt: NullableDateTime,
    fetched: Type.Integer(),
    duplicates: Type.Integer(),
    dispatched: Type.Integer(),
    ignored: Type.Integer(),
    quarantined: Type.Integer(),
    oversized: Type.Integer(),
    bytes: Type.Integer(),
    error: Nullable(Type.Object({ class: Type.String(), message: Type.String() })),
    warnings: Type.Array(Type.String(), {
      description: 'what the run left undone and why (e.g. stored messages left flagged on a server without UIDPLUS)',
    }),
  }),
);

export const FetchJobView = Type.Object({
  id: Type.String(),
  accountId: Type.Integer(),
  trigger: Type.String(),
  state: Type.String({ description: 'waiting, active, completed, failed, delayed' }),
  createdAt: DateTime,
  finishedAt: NullableDateTime,
  result: Type.Unsafe<unknown>({ description: 'the run result once finished: outcome, counts, error' }),
  failedReason: Nullable(Type.String()),
});
export const FetchJobParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.-]+$' }) },
  { additionalProperties: false },
);
