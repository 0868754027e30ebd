import type { PrismaClient } from '../db/index.js';
import { ACCOUNT_ORDER } from './account-filter.js';
import type { DirectorySource } from './account-directory.js';
import { searchTextOf, type DirectoryEntry } from './account-search.js';
import { validityOfRow } from './account-view.js';

/** A directory source reading entries from PostgreSQL and the change counter from `readVersion`. */
export function prismaDirectorySource(
  prisma: PrismaClient,
  readVersion: () => Promise<string | null>,
): DirectorySource {
  return {
    currentVersion: readVersion,
    async loadEntries(): Promise<DirectoryEntry[]> {
      const rows = await prisma.mailAccount.findMany({
        orderBy: ACCOUNT_ORDER,
        select: { id: true, host: true, username: true, comment: true, type: true, validity: true },
      });
      return rows.map((r) => ({ id: r.id, text: searchTextOf(r), type: r.type, validity: validityOfRow(r.validity) }));
    },
  };
}
