export { createFetchRuntime } from './runtime.js';
export type { FetchRuntime } from './runtime.js';
