export { AccountLocks } from './account-lock.js';
export type { HeldLock } from './account-lock.js';
