import type { MailAccountRow } from '../db/index.js';
import { isImapType } from './account-types.js';

/** What an account does with mail once stored (AfterFetch in mail/, spelt out for accounts). */
export const AFTER_FETCH_ACTIONS = ['delete', 'markSeen', 'moveTo', 'keep'] as const;
export type AfterFetchAction = (typeof AFTER_FETCH_ACTIONS)[number];

/** Which mail an account takes when it is added: all, none (only what arrives from then on), or since a date. */
export const INITIAL_IMPORTS = ['all', 'none', 'since'] as const;
export type InitialImport = (typeof INITIAL_IMPORTS)[number];

/** The stored after-fetch policy of an account. */
export function afterFetchOfRow(
  row: Pick<MailAccountRow, 'afterFetch' | 'moveToFolder'>,
): { action: 'delete' | 'markSeen' | 'keep' } | { action: 'moveTo'; folder: string } {
  if (row.afterFetch === 'moveTo' && row.moveToFolder) return { action: 'moveTo', folder: row.moveToFolder };
  if (row.afterFetch === 'markSeen' || row.afterFetch === 'keep') return { action: row.afterFetch };
  return { action: 'delete' };
}

/** The folders an account reads: its IMAP folders in order (INBOX by default), one unnamed maildrop for POP3. */
export function foldersOfRow(row: Pick<MailAccountRow, 'type' | 'imapFolder' | 'imapFolders'>): string[] {
  if (!isImapType(row.type)) return [''];
  if (row.imapFolders.length > 0) return row.imapFolders;
  return [row.imapFolder || 'INBOX'];
}

/** Mail that arrived before this stays on the server when the account first reads a folder; null: all is fetched. */
export function importCutoffOfRow(
  row: Pick<MailAccountRow, 'initialImport' | 'importSince' | 'createdAt'>,
): Date | null {
  if (row.initialImport === 'none') return row.createdAt;
  if (row.initialImport === 'since' && row.importSince) return row.importSince;
  return null;
}
