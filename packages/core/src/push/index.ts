export { AccountWatcher } from './account-watcher.js';
export type { WatcherDeps } from './account-watcher.js';
export { WatchManager } from './watch-manager.js';
export type { WatchManagerDeps } from './watch-manager.js';
export { WatchLeases } from './watch-leases.js';
export type { WatchInfo } from './watch-leases.js';
