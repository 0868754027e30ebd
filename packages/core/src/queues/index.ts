export { normalizeQueue, normalizeAddress, QUEUE_LIMITS } from './queue-rules.js';
export type { QueueInput, AddressInput } from './queue-rules.js';
export { QueueService, toQueueView } from './queue-service.js';
export type { QueueView } from './queue-service.js';
export { AddressService, toAddressView } from './address-service.js';
export type { AddressView } from './address-service.js';
