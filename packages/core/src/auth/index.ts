export { TokenService } from './token-service.js';
export type { Principal } from './token-service.js';
