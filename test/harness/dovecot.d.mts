/** A running, isolated Dovecot with users user1..userN. */
export interface Dovecot {
  dir: string;
  host: string;
  imapPort: number;
  /** 0 without TLS. */
  imapsPort: number;
  pop3Port: number;
  /** 0 without TLS. */
  pop3sPort: number;
  /** The self-signed certificate (PEM), '' without TLS. */
  ca: string;
  password: string;
  users: string[];
  /** Put COUNT generated messages of exactly SIZE bytes (LF line endings) into a user's folder (dated from `date` on). */
  seed(
    user: string,
    count: number,
    size: number,
    options?: { folder?: string; prefix?: string; date?: Date },
  ): Promise<void>;
  /** Store the given files byte for byte (a leading mbox "From " line dropped). */
  deliver(user: string, files: string[], options?: { folder?: string }): Promise<void>;
  /** Append settings to the configuration and reload it (new sessions get them). */
  configure(settings: string): Promise<void>;
  /** Write many small messages straight into a user's INBOX (faster than seed for 100,000s). */
  writeMessages(user: string, messages: Iterable<string>): number;
  /** Messages currently in a user's folder (Maildir new + cur). */
  count(user: string, folder?: string): number;
  /** Run doveadm against this Dovecot (e.g. "fetch", "-u", user, "uid flags", "mailbox", "INBOX", "all"); its output. */
  doveadm(...args: string[]): Promise<string>;
  /** Stop the master (every session ends) and start it again on the same ports and mail. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Bearer-token logins (SASL XOAUTH2, OAUTHBEARER) checked by RFC 7662 introspection. */
export interface DovecotOAuth2 {
  /** http:// only (Dovecot 2.3 here has no CA for the test server); RFC 3986 characters. */
  introspectionUrl: string;
  /** Dovecot's own credentials at the introspection endpoint (sent in the POST body). */
  clientId?: string;
  clientSecret?: string;
  /** The reply's attribute that must equal the login name (default `username`). */
  usernameAttribute?: string;
  /** A word the token's scope must contain. */
  scope?: string;
}

/**
 * Start a Dovecot on free ports; `noTls` gives a server without STARTTLS/STLS and implicit TLS;
 * `oauth2` adds bearer-token logins beside the passwords.
 */
export function startDovecot(options?: {
  users?: number;
  noTls?: boolean;
  password?: string;
  oauth2?: DovecotOAuth2;
}): Promise<Dovecot>;

/** Seed a user's folder of the Dovecot in `dir` (from any process): COUNT messages of SIZE bytes. */
export function seedMaildir(
  dir: string,
  user: string,
  count: number,
  size: number,
  options?: { folder?: string; prefix?: string; date?: Date },
): void;
