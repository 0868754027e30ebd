export { startScheduler } from './start-scheduler.js';
export type { RunningScheduler } from './start-scheduler.js';
export { AccountScheduler } from './scheduler.js';
export type { ReconcileResult } from './scheduler.js';
export { SchedulerStore } from './scheduler-store.js';
export { startHousekeeping } from './housekeeping.js';
export type { Housekeeping } from './housekeeping.js';
