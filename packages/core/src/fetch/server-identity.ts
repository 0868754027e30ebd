import type { MailboxIdentity } from '../mail/index.js';
import type { MessageOrigin } from '../store/index.js';
import { storableText } from '../text/index.js';

/** A POP3 message known only by its number this session (a server without UIDL, or a repeated one). */
export function isSessionNumber(remoteId: string): boolean {
  return remoteId.startsWith('#');
}

/**
 * A message's server identity, the de-duplication key of what is stored: folder, UIDVALIDITY and
 * UID (RFC 3501 §2.3.1.1: a UID never names another message of a folder while its UIDVALIDITY
 * holds), or the POP3 UIDL (RFC 1939 §7: never reused in a maildrop). Null where there is none:
 * a POP3 message known by its number only, or an IMAP folder that gave no UIDVALIDITY.
 */
export function serverIdentity(mailbox: MailboxIdentity, remoteId: string): string | null {
  if (mailbox.folder === null) return isSessionNumber(remoteId) ? null : `pop3:${storableText(remoteId.slice(0, 200))}`;
  return mailbox.uidValidity === null ? null : `imap:${mailbox.uidValidity}:${remoteId}:${mailbox.folder}`;
}

/** Where a downloaded message came from, as the store records it. */
export function originOf(mailbox: MailboxIdentity, remoteId: string, internalDate?: Date): MessageOrigin {
  return {
    folder: mailbox.folder,
    uidValidity: mailbox.uidValidity,
    internalDate: internalDate ?? null,
    source: serverIdentity(mailbox, remoteId),
  };
}
