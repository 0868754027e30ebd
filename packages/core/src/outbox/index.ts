export { sweepOutbox } from './outbox-sweep.js';
export type { OutboxDeps, SweepResult } from './outbox-sweep.js';
