export { buildApp } from './app.js';
export { createApiDeps } from './deps.js';
export type { ApiDeps, ApiServices } from './deps.js';
export { startApi } from './server.js';
export type { RunningApi } from './server.js';
