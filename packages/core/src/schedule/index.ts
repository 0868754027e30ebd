export { offsetOf, planReconcile, specFor } from './schedule-plan.js';
export type { SchedulableAccount, SchedulerSpec, ExistingScheduler, ReconcilePlan } from './schedule-plan.js';
