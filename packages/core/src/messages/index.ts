export { MessageService } from './message-service.js';
export type { MessageServiceDeps } from './message-service.js';
export type { MessageFilter } from '../store/index.js';
export { toMessageView } from './message-view.js';
export type { MessageView } from './message-view.js';
export { parseFullMessage } from './full-parse.js';
export type { ParsedMessage } from './full-parse.js';
