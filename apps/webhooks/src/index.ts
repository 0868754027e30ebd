export { startWebhooks } from './start-webhooks.js';
export type { RunningWebhooks } from './start-webhooks.js';
