export { MessageService } from './message-service.js';
export type { MessageFilter, MessageServiceDeps } from './message-service.js';
export { toMessageView, MESSAGE_SELECT } from './message-view.js';
export type { MessageView } from './message-view.js';
export { parseFullMessage } from './full-parse.js';
export type { ParsedMessage } from './full-parse.js';
