import type { MailHostPolicy } from './host-policy.js';

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
  /** POP3: the server listed this message under a UIDL it gave another message too (see Pop3MailboxClient.list). */
  uidlRepeated?: boolean;
}

/** One message's download: its bytes (and IMAP INTERNALDATE), or that it was larger than allowed (at least `tooLarge` bytes). */
export type Downloaded = { raw: Buffer; internalDate?: Date } | { tooLarge: number };

/** Which mailbox a session reads: IMAP folder and UIDVALIDITY (RFC 3501 §2.3.1.1); both null for POP3. */
export interface MailboxIdentity {
  folder: string | null;
  uidValidity: number | null;
}

/**
 * What happens on the server to a message once it is stored and its ticket job is in Redis:
 * delete it (OTOBO), set \Seen, move it to a folder, or leave it as it is. IMAP knows all four,
 * POP3 delete and keep.
 */
export type AfterFetch =
  { action: 'delete' } | { action: 'markSeen' } | { action: 'moveTo'; folder: string } | { action: 'keep' };

/**
 * The most bytes of one message a run buffers: the listed size with room for servers that count
 * a little differently (twice the size, at least 64 KiB more), never above the size limit. A
 * server that lists a small message and then sends a huge one is stopped there.
 */
export function downloadCap(listed: number, maxBytes: number): number {
  return Math.min(maxBytes, Math.max(2 * listed, listed + 64 * 1024));
}

/** How exact the listing must be. */
export interface ListOptions {
  /**
   * Sizes at or below this many bytes need not be exact: such a message may be listed with this
   * bound as its size, which saves asking the server for every size (IMAP). Default: all exact.
   */
  exactAbove?: number;
  /** IMAP: only messages with a UID above this one, when the folder's UIDVALIDITY is `uidValidity`. */
  after?: { uidValidity: number; uid: number };
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
  /** The mailbox the session reads (after `connect`). */
  identity(): MailboxIdentity;
  /** Every message in server order (IMAP: above `after` where it applies). */
  list(options?: ListOptions): Promise<RemoteMessage[]>;
  /**
   * When each message arrived, for the initial import: IMAP INTERNALDATE; POP3 the Date header
   * (TOP n 0). Only messages that may have arrived at `since` or later are asked about; a message
   * missing from the answer arrived before `since`, one mapped to null has no date.
   */
  arrivals(messages: readonly RemoteMessage[], since: Date): Promise<Map<string, Date | null>>;
  /**
   * Download messages (several in one round trip where the protocol allows it). The answer is
   * aligned with `messages`: the bytes, `tooLarge` for a message that turned out larger than its
   * `caps[i]` bytes (never buffered beyond that: it stays on the server), or undefined for one the
   * server no longer has. Results are matched by position, never by id: a POP3 server may list
   * two messages under the same UIDL.
   */
  fetchMany(messages: readonly RemoteMessage[], caps: readonly number[]): Promise<(Downloaded | undefined)[]>;
  /** The header section of each message, without downloading the bodies (dry runs). */
  fetchHeaders(messages: RemoteMessage[]): Promise<Map<string, Buffer>>;
  /** Mark messages for the after-fetch action; nothing changes on the server before `commit`. */
  markHandled(messages: RemoteMessage[]): Promise<void>;
  /**
   * Apply the after-fetch action to what is marked (IMAP delete: \Deleted + UID EXPUNGE of
   * exactly those UIDs; markSeen: +FLAGS \Seen; moveTo: UID MOVE, or COPY and delete; POP3
   * delete: DELE and QUIT; keep: nothing). `reusable` tells whether the session is still open
   * afterwards; `expunged` is false when the messages were only flagged (an IMAP server without
   * UIDPLUS whose folder holds other \Deleted messages: see ImapMailboxClient.commit), with the
   * reason in `warning`.
   */
  commit(): Promise<CommitResult>;
  /** End the session without committing anything that is still pending. Never throws. */
  close(): Promise<void>;
}

/** What a commit achieved. */
export interface CommitResult {
  reusable: boolean;
  expunged: boolean;
  warning?: string;
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

/**
 * Where an OAuth2 account's access tokens come from (oauth2/access-tokens.ts): `token` before a
 * login, `renew` once when the server refused the token (expired or revoked before its time).
 */
export interface BearerSource {
  token(): Promise<string>;
  renew(rejected: string): Promise<string>;
}

/** How to reach and log in to a mail server; shared by both protocol families. */
export interface ServerSettings {
  host: string;
  port: number;
  /** The mailbox to open; with a bearer token the XOAUTH2 `user=` (a shared mailbox's address with a delegate's token). */
  username: string;
  /** Unused when `bearer` is set. */
  password: string;
  /** OAuth2: log in with XOAUTH2 or OAUTHBEARER (RFC 7628), whichever the server offers, instead of the password. */
  bearer?: BearerSource;
  /** 'tls': implicit TLS (IMAPS, POP3S); 'starttls': STARTTLS/STLS required (IMAPTLS, POP3TLS); 'plain': none. */
  security: 'tls' | 'starttls' | 'plain';
  tlsVerify: boolean;
  extraCa?: string;
  timeouts: MailTimeouts;
  trace?: ProtocolTrace;
  /** No server response is buffered beyond this many bytes (plus protocol framing). */
  maxMessageBytes: number;
  /** Which hosts may be connected to, checked on the resolved address at connect time; none: any. */
  hostPolicy?: MailHostPolicy;
  /** Default: delete. */
  afterFetch?: AfterFetch;
  /** IMAP IDLE is ended and begun again this often (RFC 2177: before 29 minutes); default 25 minutes. */
  idleRestartMs?: number;
}
