export { PgMessageStore } from './pg-message-store.js';
export type { MessageStore, IncomingRaw, StoredRef, Outcome, TicketRow, StoredDispatch } from './message-store.js';
