export { QUEUE_NAMES, JOB_NAMES, ticketJobId, schedulerId } from './queue-names.js';
export type { FetchJobData, FetchTrigger } from './fetch-job.js';
export { buildTicketPayload } from './ticket-payload.js';
export type { TicketPayloadV1 } from './ticket-payload.js';
export { BullTicketPublisher } from './ticket-publisher.js';
export type { TicketPublisher } from './ticket-publisher.js';
export { openQueues } from './queues.js';
export type { MailductQueues } from './queues.js';
