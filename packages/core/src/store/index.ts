export { PgMessageStore } from './message-repository.js';
export { MessageReadRepository } from './message-read-repository.js';
export type { MessageFilter, MessageRow, ReprocessSource } from './message-read-repository.js';
export type {
  MessageStore,
  IncomingRaw,
  StoredRef,
  Outcome,
  Verdict,
  TicketRow,
  StoredDispatch,
  MessageOrigin,
  ServerAction,
} from './message-store.js';
