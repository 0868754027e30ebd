import { Type, type Static } from 'typebox';
import { DateTime, Nullable, NullableDateTime } from '../schema/index.js';
import { WEBHOOK_EVENTS } from './webhook-events.js';
import { WEBHOOK_URL_MAX } from './webhook-url.js';

/** Characters a webhook's description may have. */
export const DESCRIPTION_MAX = 250;

const writable = {
  url: Type.String({
    minLength: 1,
    maxLength: WEBHOOK_URL_MAX,
    description: 'https URL the events are posted to (http only with MAILDUCT_WEBHOOK_ALLOW_HTTP=true)',
    'x-problem': `must be a URL of at most ${WEBHOOK_URL_MAX} characters`,
  }),
  events: Type.Array(Type.Enum([...WEBHOOK_EVENTS]), {
    minItems: 1,
    uniqueItems: true,
    description: 'the events to send',
    'x-problem': `must be a list of distinct events out of ${WEBHOOK_EVENTS.join(', ')}`,
  }),
  enabled: Type.Optional(Type.Boolean({ description: 'default true; enabling again clears a disabling by mailduct' })),
  description: Type.Optional(
    Nullable(Type.String({ maxLength: DESCRIPTION_MAX }), {
      'x-problem': `must be text of at most ${DESCRIPTION_MAX} characters, or null`,
    }),
  ),
};

/** `POST /api/v1/webhooks`. */
export const WebhookCreateSchema = Type.Object(writable, { additionalProperties: false });

/** `PATCH /api/v1/webhooks/:id`. */
export const WebhookPatchSchema = Type.Object(
  { ...writable, url: Type.Optional(writable.url), events: Type.Optional(writable.events) },
  { additionalProperties: false, minProperties: 1, 'x-problem': 'must change at least one field' },
);

/** A webhook as the API returns it: never its secret (shown once, when created). */
export const WebhookViewSchema = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  description: Nullable(Type.String()),
  failingSince: NullableDateTime,
  disabledReason: Nullable(Type.String({ description: 'why mailduct disabled it (nothing delivered for 24 h)' })),
  createdAt: DateTime,
  createdBy: Nullable(Type.String()),
  updatedAt: DateTime,
  updatedBy: Nullable(Type.String()),
});

/** The answer to creating a webhook: its signing secret, this once. */
export const WebhookCreatedSchema = Type.Object({
  ...WebhookViewSchema.properties,
  secret: Type.String({ description: 'the whsec_ signing secret (Standard Webhooks); shown only now' }),
});

/** One event's delivery to a webhook, with its attempts (the delivery log). */
export const DeliveryViewSchema = Type.Object({
  id: Type.String({ description: 'the delivery id (a bigint, as text)' }),
  eventId: Type.String({ description: 'the webhook-id header of every attempt' }),
  event: Type.String(),
  status: Type.Enum(['pending', 'retrying', 'delivered', 'failed']),
  attempts: Type.Integer(),
  createdAt: DateTime,
  deliveredAt: NullableDateTime,
  nextAttemptAt: NullableDateTime,
  lastError: Nullable(Type.String()),
  log: Type.Array(
    Type.Object({
      attempt: Type.Integer(),
      at: DateTime,
      statusCode: Nullable(Type.Integer()),
      error: Nullable(Type.String()),
      latencyMs: Type.Integer(),
      response: Nullable(Type.String({ description: 'the start of the answer, at most 1 KiB' })),
    }),
  ),
});

export type WebhookCreateBody = Static<typeof WebhookCreateSchema>;
export type WebhookPatchBody = Static<typeof WebhookPatchSchema>;
export type WebhookView = Static<typeof WebhookViewSchema>;
export type WebhookCreated = Static<typeof WebhookCreatedSchema>;
export type DeliveryView = Static<typeof DeliveryViewSchema>;
