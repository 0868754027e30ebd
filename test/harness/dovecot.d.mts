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
  /** Put COUNT generated messages of exactly SIZE bytes (LF line endings) into a user's folder. */
  seed(user: string, count: number, size: number, options?: { folder?: string; prefix?: string }): Promise<void>;
  /** Store the given files byte for byte (a leading mbox "From " line dropped). */
  deliver(user: string, files: string[], options?: { folder?: string }): Promise<void>;
  /** Append settings to the configuration and reload it (new sessions get them). */
  configure(settings: string): Promise<void>;
  /** Write many small messages straight into a user's INBOX (faster than seed for 100,000s). */
  writeMessages(user: string, messages: Iterable<string>): number;
  /** Messages currently in a user's folder (Maildir new + cur). */
  count(user: string, folder?: string): number;
  stop(): Promise<void>;
}

/** Start a Dovecot on free ports; `noTls` gives a server without STARTTLS/STLS and implicit TLS. */
export function startDovecot(options?: { users?: number; noTls?: boolean; password?: string }): Promise<Dovecot>;

/** Seed a user's folder of the Dovecot in `dir` (from any process): COUNT messages of SIZE bytes. */
export function seedMaildir(
  dir: string,
  user: string,
  count: number,
  size: number,
  options?: { folder?: string; prefix?: string },
): void;
