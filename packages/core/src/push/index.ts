export { AccountWatcher } from './account-watcher.js';
export type { WatcherDeps } from './account-watcher.js';
export { WatchManager } from './watch-manager.js';
export type { WatchManagerDeps } from './watch-manager.js';
export { WatchLeases } from './watch-leases.js';
export type { WatchInfo } from './watch-leases.js';
export { planWatch, sessionsPerMailbox } from './mailbox-sessions.js';
export { WATCH_STATES } from './watch-state.js';
export type { WatchState } from './watch-state.js';
