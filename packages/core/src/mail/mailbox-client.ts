/** One message as the server lists it. */
export interface RemoteMessage {
  /** Stable id within the mailbox: the IMAP UID or the POP3 UIDL. */
  id: string;
  /** Position in server order (IMAP sequence number, POP3 message number). */
  seq: number;
  /**
   * Size the server reports, in bytes (CRLF line endings); for a message listed with
   * `ListOptions.exactAbove` and not larger than it, that bound instead.
   */
  size: number;
}

/** How exact the listing must be. */
export interface ListOptions {
  /**
   * Sizes at or below this many bytes need not be exact: such a message may be listed with this
   * bound as its size, which saves asking the server for every size (IMAP). Default: all exact.
   */
  exactAbove?: number;
}

/**
 * A connection to one mailbox (an IMAP folder or a POP3 maildrop). Implementations:
 * ImapMailboxClient (imapflow) and Pop3MailboxClient (our own POP3 client). Every method throws
 * MailductError with a MAIL_* code.
 */
export interface MailboxClient {
  /** True when `commit` ends the session (POP3 QUIT); false when the session goes on (IMAP). */
  readonly commitEndsSession: boolean;
  /** Connect, secure (TLS/STARTTLS/STLS), authenticate and open the folder. */
  connect(): Promise<void>;
  /** Every message in server order. */
  list(options?: ListOptions): Promise<RemoteMessage[]>;
  /** Download one message; refuses (MAIL_PROTOCOL) to read more than `maxBytes`. */
  fetch(message: RemoteMessage, maxBytes: number): Promise<Buffer>;
  /** Download several small messages in one round trip where the protocol allows it. */
  fetchMany(messages: RemoteMessage[], maxBytes: number): Promise<Map<string, Buffer>>;
  /** The header section of each message, without downloading the bodies (dry runs). */
  fetchHeaders(messages: RemoteMessage[]): Promise<Map<string, Buffer>>;
  /** Mark messages for deletion; nothing is removed before `commit`. */
  markDeleted(messages: RemoteMessage[]): Promise<void>;
  /**
   * Make the marked deletions permanent (IMAP: \Deleted + UID EXPUNGE of exactly those UIDs;
   * POP3: QUIT). `reusable` tells whether the session is still open afterwards.
   */
  commit(): Promise<{ reusable: boolean }>;
  /** End the session without committing anything that is still pending. Never throws. */
  close(): Promise<void>;
}

/** Where the protocol conversation goes with `--debug` (passwords already masked). */
export type ProtocolTrace = (direction: 'C' | 'S' | '*', line: string) => void;

/** Timeouts in milliseconds. */
export interface MailTimeouts {
  connect: number;
  greeting: number;
  /** No answer to a command, or no data while reading one, for this long. */
  command: number;
}

export const DEFAULT_TIMEOUTS: MailTimeouts = { connect: 30_000, greeting: 30_000, command: 120_000 };

/** How to reach and log in to a mail server; shared by both protocol families. */
export interface ServerSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  /** 'tls': implicit TLS (IMAPS, POP3S); 'starttls': STARTTLS/STLS required (IMAPTLS, POP3TLS); 'plain': none. */
  security: 'tls' | 'starttls' | 'plain';
  tlsVerify: boolean;
  extraCa?: string;
  timeouts: MailTimeouts;
  trace?: ProtocolTrace;
}
