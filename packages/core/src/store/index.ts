export { PgMessageStore } from './pg-message-store.js';
export type {
  MessageStore,
  IncomingRaw,
  StoredRef,
  Outcome,
  Verdict,
  TicketRow,
  StoredDispatch,
} from './message-store.js';
