export { createFetchRuntime } from './runtime.js';
export type { FetchRuntime } from './runtime.js';
export { startFetcher } from './worker.js';
export type { RunningFetcher } from './worker.js';
export { processFetchJob } from './process-fetch-job.js';
