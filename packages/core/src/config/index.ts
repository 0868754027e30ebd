export { loadConfig } from './load-config.js';
export type { Config } from './load-config.js';
export { ConfigSchema } from './schema.js';
export type { ConfigInput } from './schema.js';
export type { NotifyConfig } from './notify-schema.js';
