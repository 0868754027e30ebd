import { CONTROL_CHARACTER } from '../text/index.js';
import { isImapType, type AccountDraft } from './account-types.js';

/**
 * What the schema cannot say about folders, the after-fetch policy and the initial import: no
 * control characters in a folder name, markSeen and moveTo only where there are folders (IMAP),
 * moveTo with a folder that is not one of those read, since with a date.
 */
export function checkMailboxPolicy(d: AccountDraft, add: (field: string, problem: string) => void): void {
  const imap = typeof d.type === 'string' && isImapType(d.type);
  d.imapFolders.forEach((f, i) => {
    if (typeof f === 'string' && CONTROL_CHARACTER.test(f))
      add(`imapFolders.${i}`, 'must not contain control characters');
  });
  if (typeof d.type === 'string' && !imap && (d.afterFetch === 'markSeen' || d.afterFetch === 'moveTo'))
    add('afterFetch', `"${d.afterFetch}" needs an IMAP account: POP3 can only delete or keep`);
  if (typeof d.type === 'string' && !imap && d.push === true)
    add('push', 'needs an IMAP account: POP3 has no IDLE, its mail is fetched on the poll interval');
  if (d.afterFetch === 'moveTo') {
    if (d.moveToFolder === null || d.moveToFolder === undefined || d.moveToFolder === '')
      add('moveToFolder', 'is required when afterFetch is "moveTo"');
    else if (CONTROL_CHARACTER.test(d.moveToFolder)) add('moveToFolder', 'must not contain control characters');
    else if (d.imapFolders.some((f) => sameFolder(f, d.moveToFolder!)))
      add('moveToFolder', 'must not be a folder the account reads (moved mail would be fetched again)');
  } else if (d.moveToFolder !== null && d.moveToFolder !== undefined) {
    add('moveToFolder', 'is only used when afterFetch is "moveTo": leave it out');
  }
  if (d.initialImport === 'since') {
    if (d.importSince === null || d.importSince === undefined)
      add('importSince', 'is required when initialImport is "since"');
  } else if (d.importSince !== null && d.importSince !== undefined) {
    add('importSince', 'is only used when initialImport is "since": leave it out');
  }
}

function sameFolder(a: string, b: string): boolean {
  return a === b || (a.toUpperCase() === 'INBOX' && b.toUpperCase() === 'INBOX');
}
