import type { AccountType } from '../accounts/index.js';
import { effectivePort } from '../accounts/index.js';
import { ImapMailboxClient } from './imap-client.js';
import {
  DEFAULT_TIMEOUTS,
  type AfterFetch,
  type BearerSource,
  type MailboxClient,
  type MailTimeouts,
  type ProtocolTrace,
} from './mailbox-client.js';
import { Pop3MailboxClient } from './pop3-client.js';
import type { MailHostPolicy } from './host-policy.js';

/** The connection settings of one account, password decrypted (or its bearer tokens' source). */
export interface MailboxSettings {
  type: AccountType;
  host: string;
  port: number | null;
  username: string;
  password: string;
  bearer?: BearerSource;
  /** The folder a session opens (IMAP). */
  imapFolder: string | null;
  tlsVerify: boolean;
  /** Default: delete. */
  afterFetch?: AfterFetch;
  /** IMAP IDLE watchers: how often IDLE is begun again. */
  idleRestartMs?: number;
}

export interface ClientOptions {
  extraCa?: string;
  timeouts?: MailTimeouts;
  trace?: ProtocolTrace;
  /** The size limit (MAILDUCT_MAX_MESSAGE_BYTES): no response of the server is buffered beyond it. */
  maxMessageBytes?: number;
  /** Which hosts may be reached (MAILDUCT_ALLOWED_MAIL_HOSTS, MAILDUCT_DENIED_MAIL_HOSTS). */
  hostPolicy?: MailHostPolicy;
}

/** OTOBO's PostMasterMaxEmailSize (32768 KB), the default of MAILDUCT_MAX_MESSAGE_BYTES. */
const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

const SECURITY = {
  IMAP: 'plain',
  IMAPS: 'tls',
  IMAPTLS: 'starttls',
  POP3: 'plain',
  POP3S: 'tls',
  POP3TLS: 'starttls',
} as const;

/** The mailbox client for an account's type. */
export function clientFor(a: MailboxSettings, options: ClientOptions = {}): MailboxClient {
  const common = {
    host: a.host,
    port: effectivePort(a.type, a.port),
    username: a.username,
    password: a.password,
    bearer: a.bearer,
    security: SECURITY[a.type],
    tlsVerify: a.tlsVerify,
    extraCa: options.extraCa,
    timeouts: options.timeouts ?? DEFAULT_TIMEOUTS,
    trace: options.trace,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    hostPolicy: options.hostPolicy,
    afterFetch: a.afterFetch,
    idleRestartMs: a.idleRestartMs,
  };
  return a.type.startsWith('IMAP')
    ? new ImapMailboxClient({ ...common, folder: a.imapFolder || 'INBOX' })
    : new Pop3MailboxClient(common);
}
