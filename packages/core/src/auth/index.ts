export { TokenService } from './token-service.js';
export { ROLES } from './token-service.js';
export type { Principal, Role } from './token-service.js';
export { SessionStore } from './session-store.js';
export { AttemptLimiter } from './attempt-limiter.js';
export type { AttemptVerdict } from './attempt-limiter.js';
export type { Session } from './session-store.js';
