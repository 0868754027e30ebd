import type { DispatchDecision } from '../dispatch/index.js';
import type { HeaderSummary } from '../headers/index.js';

/** Where a message was read on its server. */
export interface MessageOrigin {
  /** IMAP folder; null for POP3. */
  folder: string | null;
  uidValidity: number | null;
  /** IMAP INTERNALDATE, where the server gave one. */
  internalDate: Date | null;
  /**
   * The server identity and de-duplication key (serverIdentity): null for a POP3 message known
   * only by its number (a server without UIDL), which is recognised by its bytes instead.
   */
  source: string | null;
}

/** What the policy did on the server with a stored message (inbound_message.server_action). */
export type ServerAction = 'deleted' | 'seen' | 'moved' | 'kept';

/** A downloaded message on its way into the store. */
export interface IncomingRaw {
  sha256: string;
  size: number;
  raw: Buffer;
  /** IMAP UID, POP3 UIDL, or `#n` for a POP3 message without one. */
  remoteId: string;
  origin: MessageOrigin;
  /** Parsed and dispatched before storing: a new row is written with this outcome in the same statement. */
  verdict: Verdict;
}

/** What the store knows about a message after `put`. */
export interface StoredRef {
  id: number;
  sha256: string;
  /** False when the same bytes were stored before (a re-download after a crash). */
  isNew: boolean;
  /** The outcome on the row (migration 20261202000300 quarantined the last rows without one). */
  status: Verdict['status'];
  enqueued: boolean;
  receivedAt: Date;
}

/** The outcome of parsing and dispatching one message. */
export type Verdict =
  | { status: 'dispatched' | 'ignored'; decision: DispatchDecision; summary: HeaderSummary }
  | { status: 'quarantined'; error: string; summary: HeaderSummary | null };

/** The outcome of parsing and dispatching one stored message. */
export type Outcome = Verdict & { id: number };

/** A stored, dispatched message with everything its ticket job needs. */
export interface TicketRow {
  id: number;
  accountId: number;
  queueId: number;
  queueName: string;
  sha256: string;
  size: number;
  receivedAt: Date;
  dispatch: StoredDispatch;
  attributes: Record<string, string>;
  headers: HeaderSummary;
}

/** The dispatch record kept on the message row (`inbound_message.dispatch`). */
export type StoredDispatch = Omit<DispatchDecision, 'status' | 'queue' | 'attributes'>;

/**
 * Durable storage of raw mail and its dispatch outcome. Idempotent by the message's server identity
 * (MessageOrigin.source; its bytes where it has none): putting a message again returns its first row. PostgreSQL today
 * (PgMessageStore, message-repository.ts); the raw bytes could move to an object store behind
 * `put`, `getRaw` and `expireRaw`.
 */
export interface MessageStore {
  /** Store new raw mail with its verdict; return the existing row for a message stored before. */
  put(accountId: number, items: readonly IncomingRaw[]): Promise<StoredRef[]>;
  recordOutcomes(outcomes: readonly Outcome[]): Promise<void>;
  ticketRows(ids: readonly number[]): Promise<TicketRow[]>;
  markEnqueued(ids: readonly number[]): Promise<void>;
  /** Record what the after-fetch policy did on the server (deleted and moved also set deleted_on_server_at). */
  recordServerAction(ids: readonly number[], action: ServerAction): Promise<void>;
  /** The raw bytes: undefined when there is no such message, null when they expired. */
  getRaw(id: number): Promise<Buffer | null | undefined>;
  /** Drop raw bytes past their retention; returns how many messages lost theirs. */
  expireRaw(days: number): Promise<number>;
  /** Delete the rows of mail gone from the server and done with for `days`; returns how many went. */
  expireRows(days: number): Promise<number>;
  /** The outbox: dispatched messages whose ticket was not seen consumed for a while, after an id. */
  unconsumedTickets(afterId: number, olderThanMs: number, batch: number): Promise<number[]>;
  markConsumed(ids: readonly number[]): Promise<void>;
}
