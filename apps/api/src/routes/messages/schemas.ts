import { Type } from 'typebox';
import { DateTime, Nullable, NullableDateTime, pageOf } from '../common-schemas.js';

const Status = Type.Enum(['stored', 'dispatched', 'ignored', 'quarantined']);
const Json = Type.Unsafe<unknown>({ description: 'JSON value' });

export const MessageView = Type.Object({
  id: Type.Integer(),
  accountId: Nullable(Type.Integer()),
  status: Status,
  queue: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })),
  subject: Nullable(Type.String()),
  from: Nullable(Type.String()),
  messageIdHeader: Nullable(Type.String()),
  size: Type.Integer(),
  sha256: Type.String(),
  remoteId: Nullable(Type.String()),
  dispatch: Json,
  attributes: Json,
  headers: Json,
  error: Nullable(Type.String()),
  receivedAt: DateTime,
  dispatchedAt: NullableDateTime,
  enqueuedAt: NullableDateTime,
  consumedAt: NullableDateTime,
  deletedOnServerAt: NullableDateTime,
  links: Type.Object({ raw: Type.String(), parsed: Type.String() }),
});

export const MessageListQuery = Type.Object(
  {
    accountId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    status: Type.Optional(Status),
    queueId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    q: Type.Optional(
      Type.String({
        maxLength: 200,
        pattern: '^[^\\u0000]*$',
        description: 'substring of subject, sender or Message-ID',
      }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

export const MessageIdParams = Type.Object(
  { id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) },
  { additionalProperties: false },
);
export const MessagePage = pageOf(MessageView);

export const ParsedView = Type.Object({
  subject: Nullable(Type.String()),
  date: NullableDateTime,
  text: Nullable(Type.String()),
  html: Nullable(Type.String()),
  attachments: Type.Array(
    Type.Object({
      filename: Nullable(Type.String()),
      contentType: Type.String(),
      size: Type.Integer(),
      contentId: Nullable(Type.String()),
      disposition: Nullable(Type.String()),
      checksum: Type.String(),
    }),
  ),
  error: Nullable(
    Type.String({ description: 'why the MIME structure could not be parsed; the raw mail is still available' }),
  ),
});
