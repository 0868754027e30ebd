import type { ImapFlow } from 'imapflow';
import { MailductError } from '../errors/index.js';
import type { AfterFetch, CommitResult } from './mailbox-client.js';

/** `silent` is passed on to imapflow's STORE (+FLAGS.SILENT: no FETCH answer per message); not in its types. */
const SILENT = { uid: true, silent: true } as { uid: true };

/**
 * The after-fetch action on exactly these UIDs of the open folder (MailboxClient.commit). keep:
 * nothing; markSeen: +FLAGS \Seen; moveTo: UID MOVE (RFC 6851), or without MOVE a UID COPY and
 * then the delete action on them; delete: see expungeExactly. `flagged` holds the UIDs of the
 * session flagged \Deleted and not expunged yet (a server without UIDPLUS).
 */
export async function applyAfterFetch(
  client: ImapFlow,
  afterFetch: AfterFetch,
  uids: string[],
  flagged: Set<string>,
  folder: string,
): Promise<CommitResult> {
  const range = uids.join(',');
  if (afterFetch.action === 'keep') return { reusable: true, expunged: true };
  if (afterFetch.action === 'markSeen') {
    if (!(await client.messageFlagsAdd(range, ['\\Seen'], SILENT)))
      throw new MailductError('MAIL_PROTOCOL', 'the server refused to flag the stored messages \\Seen');
    return { reusable: true, expunged: true };
  }
  if (afterFetch.action === 'moveTo') {
    const target = afterFetch.folder;
    if (client.capabilities.has('MOVE')) {
      if (!(await client.messageMove(range, target, { uid: true })))
        throw new MailductError('MAIL_PROTOCOL', `the server refused to move the stored messages to "${target}"`);
      return { reusable: true, expunged: true };
    }
    if (!(await client.messageCopy(range, target, { uid: true })))
      throw new MailductError('MAIL_PROTOCOL', `the server refused to copy the stored messages to "${target}"`);
  }
  return expungeExactly(client, uids, flagged, folder);
}

/**
 * Flag the UIDs \Deleted (STORE +FLAGS.SILENT: no FETCH response per message) and expunge
 * exactly those: UID EXPUNGE where the server has UIDPLUS (RFC 4315). Without it only a plain
 * EXPUNGE exists, which removes every \Deleted message of the folder, also ones another client
 * flagged or mailduct never downloaded; it is sent only when UID SEARCH DELETED finds nothing but
 * UIDs this session flagged. Otherwise they stay flagged (stored, not expunged), the commit says
 * so, and a later run expunges them once the folder allows it. (Another client flagging a message
 * between that SEARCH and the EXPUNGE is a window no command closes without UIDPLUS; it is one
 * round trip wide.)
 */
async function expungeExactly(
  client: ImapFlow,
  uids: string[],
  flagged: Set<string>,
  folder: string,
): Promise<CommitResult> {
  const range = uids.join(',');
  if (client.capabilities.has('UIDPLUS')) {
    if (!(await client.messageDelete(range, SILENT)))
      throw new MailductError('MAIL_PROTOCOL', 'the server refused to delete the stored messages');
    return { reusable: true, expunged: true };
  }
  if (!(await client.messageFlagsAdd(range, ['\\Deleted'], SILENT)))
    throw new MailductError('MAIL_PROTOCOL', 'the server refused to flag the stored messages \\Deleted');
  for (const uid of uids) flagged.add(uid);
  const deleted = await client.search({ deleted: true }, { uid: true });
  if (!deleted) throw new MailductError('MAIL_PROTOCOL', 'the server refused UID SEARCH DELETED');
  const foreign = deleted.filter((uid) => !flagged.has(String(uid)));
  if (foreign.length > 0) {
    const warning = `the server has no UIDPLUS and ${foreign.length} other message(s) in "${folder}" are flagged \\Deleted: ${flagged.size} stored message(s) were flagged \\Deleted but not expunged (a plain EXPUNGE would remove the others too)`;
    return { reusable: true, expunged: false, warning };
  }
  // Flagged again by messageDelete (harmless), then the plain EXPUNGE: only ours are \Deleted.
  if (!(await client.messageDelete([...flagged].join(','), SILENT)))
    throw new MailductError('MAIL_PROTOCOL', 'the server refused to expunge the stored messages');
  flagged.clear();
  return { reusable: true, expunged: true };
}
