export { clientFor } from './client-for.js';
export type { MailboxSettings, ClientOptions } from './client-for.js';
export { DEFAULT_TIMEOUTS, downloadCap } from './mailbox-client.js';
export type {
  AfterFetch,
  CommitResult,
  Downloaded,
  ListOptions,
  MailboxClient,
  MailboxIdentity,
  RemoteMessage,
  MailTimeouts,
  ProtocolTrace,
  ServerSettings,
} from './mailbox-client.js';
export { classifyMailError, scrub } from './classify-mail-error.js';
export { tlsOptionsFor } from './tls-options.js';
export { isHostEntry, MailHostPolicy } from './host-policy.js';
export type { HostVerdict } from './host-policy.js';
export { ImapMailboxClient } from './imap-client.js';
export { Pop3MailboxClient } from './pop3-client.js';
export { Pop3Connection } from './pop3-connection.js';
