export { createInfrastructure, poolSizeFor } from './create-infrastructure.js';
export type { Infrastructure, InfrastructureOptions } from './create-infrastructure.js';
