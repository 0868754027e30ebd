export {
  JOBS,
  QUEUE_NAMES,
  messageIdOfTicketJob,
  parseFetchJobData,
  parseWebhookJobData,
  schedulerId,
  ticketJobId,
  webhookJob,
  webhookJobId,
} from './job-catalogue.js';
export type { WebhookJobData } from './job-catalogue.js';
export type { FetchJobData, FetchTrigger } from './fetch-job.js';
export { buildTicketPayload } from './ticket-payload.js';
export type { TicketPayloadV1 } from './ticket-payload.js';
export { BullTicketPublisher } from './ticket-publisher.js';
export type { TicketPublisher } from './ticket-publisher.js';
export { bullPrefix, openQueues, queueOptions } from './bull-queues.js';
export type { MailductQueues } from './bull-queues.js';
export { enqueueFetchNow, enqueuePushFetch, fetchJobView, nextScheduledRun } from './fetch-jobs.js';
export type { FetchJobView } from './fetch-jobs.js';
