export { decideDelivery, disableFailingWebhook, RETRY_WINDOW_MS } from './delivery-policy.js';
export type { AttemptResult, DeliveryDecision } from './delivery-policy.js';
export { newWebhookSecret, signWebhook } from './signature.js';
export type { SignedHeaders } from './signature.js';
export { RESPONSE_EXCERPT_BYTES, sendWebhook } from './webhook-sender.js';
export type { AttemptRecord, WebhookRequest } from './webhook-sender.js';
export { WEBHOOK_URL_MAX, webhookUrlProblem } from './webhook-url.js';
export { isWebhookEvent, webhookEventBody, webhookEventId, WEBHOOK_EVENTS } from './webhook-events.js';
export type { AccountEventData, MessageEventData, WebhookEventType } from './webhook-events.js';
