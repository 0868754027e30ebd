import type pg from 'pg';
import type { MailAccountRow } from '../db/index.js';
import type { DirectorySource } from './account-directory.js';
import { searchTextOf, type DirectoryEntry } from './account-search.js';
import type { AccountType } from './account-types.js';
import { validityOfRow } from './account-view.js';

// The list order (ACCOUNT_ORDER) in SQL. Plain pg, rows as arrays: at 100,000 accounts Prisma took
// ~800 ms of the event loop for this read, every reload (docs/BENCHMARKS.md, bench/api).
const SELECT_ENTRIES = {
  text: 'SELECT id, host, username, comment, type, validity FROM mail_account ORDER BY host, username, id',
  rowMode: 'array' as const,
};

type EntryRow = [number, string, string, string | null, AccountType, MailAccountRow['validity']];

/** A directory source reading entries from PostgreSQL and the change counter from `readVersion`. */
export function pgDirectorySource(pool: pg.Pool, readVersion: () => Promise<string | null>): DirectorySource {
  return {
    currentVersion: readVersion,
    async loadEntries(): Promise<DirectoryEntry[]> {
      const { rows } = await pool.query<EntryRow>(SELECT_ENTRIES);
      return rows.map(([id, host, username, comment, type, validity]) => ({
        id,
        text: searchTextOf({ host, username, comment }),
        type,
        validity: validityOfRow(validity),
      }));
    },
  };
}
