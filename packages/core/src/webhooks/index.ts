export { decideDelivery, disableFailingWebhook, RETRY_WINDOW_MS } from './delivery-policy.js';
export type { AttemptResult, DeliveryDecision } from './delivery-policy.js';
export { newWebhookSecret, signWebhook } from './signature.js';
export type { SignedHeaders } from './signature.js';
export { RESPONSE_EXCERPT_BYTES, sendWebhook } from './webhook-sender.js';
export type { AttemptRecord, WebhookRequest } from './webhook-sender.js';
export { WEBHOOK_URL_MAX, webhookUrlProblem } from './webhook-url.js';
export {
  accountEventsOfRun,
  isWebhookEvent,
  webhookEventBody,
  webhookEventId,
  WEBHOOK_EVENTS,
} from './webhook-events.js';
export type { AccountEventData, MessageEventData, WebhookEventType } from './webhook-events.js';
export { DeliveryRepository } from './delivery-repository.js';
export type { AttemptOutcome, PendingDelivery } from './delivery-repository.js';
export { deliverWebhook, publishEvents, publishWebhookEvent } from './webhook-delivery.js';
export type { DeliveryStep, WebhookDeliveryDeps } from './webhook-delivery.js';
export { sweepDeliveries } from './delivery-sweep.js';
export type { DeliverySweep } from './delivery-sweep.js';
export { WebhookService } from './webhook-service.js';
export {
  DESCRIPTION_MAX,
  DeliveryViewSchema,
  WebhookCreatedSchema,
  WebhookCreateSchema,
  WebhookPatchSchema,
  WebhookViewSchema,
} from './webhook-schema.js';
export type {
  DeliveryView,
  WebhookCreateBody,
  WebhookCreated,
  WebhookPatchBody,
  WebhookView,
} from './webhook-schema.js';
export { accountEventsOf, FAILURES_BEFORE_EVENT } from './account-events.js';
