import type { PrismaClient } from '../db/index.js';
import { MailductError } from '../errors/index.js';

/** One folder's stored cursor (folder_cursor; folder "" is a POP3 maildrop). */
export interface StoredCursor {
  uidValidity: number | null;
  lastUid: number;
  importUntilUid: number;
}

/** The folder cursors and remembered POP3 UIDLs of accounts, in PostgreSQL. Failures are STORAGE_UNAVAILABLE. */
export class CursorRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** An account's cursors by folder. */
  async cursors(accountId: number): Promise<Map<string, StoredCursor>> {
    const rows = await this.guard('read folder cursors', () =>
      this.prisma.folderCursor.findMany({ where: { accountId } }),
    );
    return new Map(
      rows.map((r) => [
        r.folder,
        {
          uidValidity: r.uidValidity === null ? null : Number(r.uidValidity),
          lastUid: Number(r.lastUid),
          importUntilUid: Number(r.importUntilUid),
        },
      ]),
    );
  }

  /** Start (or start again, after a UIDVALIDITY change) reading a folder. */
  async begin(accountId: number, folder: string, cursor: StoredCursor): Promise<void> {
    await this.guard('record a folder cursor', () =>
      this.prisma.$executeRawUnsafe(
        `INSERT INTO folder_cursor (account_id, folder, uid_validity, last_uid, import_until_uid, updated_at)
         VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (account_id, folder) DO UPDATE SET
         uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid,
         import_until_uid = EXCLUDED.import_until_uid, updated_at = now()`,
        accountId,
        folder,
        cursor.uidValidity,
        cursor.lastUid,
        cursor.importUntilUid,
      ),
    );
  }

  /** Move a folder's cursor forward (never back, and only under the UIDVALIDITY it was read with). */
  async advance(accountId: number, folder: string, uidValidity: number | null, lastUid: number): Promise<void> {
    await this.guard('advance a folder cursor', () =>
      this.prisma.$executeRawUnsafe(
        `UPDATE folder_cursor SET last_uid = GREATEST(last_uid, $4), updated_at = now()
         WHERE account_id = $1 AND folder = $2 AND uid_validity IS NOT DISTINCT FROM $3`,
        accountId,
        folder,
        uidValidity,
        lastUid,
      ),
    );
  }

  /** The UIDLs of a POP3 maildrop that are handled and stay on the server. */
  async seenUidls(accountId: number): Promise<Set<string>> {
    const rows = await this.guard('read remembered UIDLs', () =>
      this.prisma.pop3SeenUidl.findMany({ where: { accountId }, select: { uidl: true } }),
    );
    return new Set(rows.map((r) => r.uidl));
  }

  async rememberUidls(accountId: number, uidls: readonly string[]): Promise<void> {
    if (uidls.length === 0) return;
    await this.guard('remember UIDLs', () =>
      this.prisma.$executeRawUnsafe(
        `INSERT INTO pop3_seen_uidl (account_id, uidl) SELECT $1, u FROM unnest($2::text[]) AS u ON CONFLICT DO NOTHING`,
        accountId,
        uidls,
      ),
    );
  }

  /** Forget the remembered UIDLs the server no longer lists. */
  async forgetUidlsExcept(accountId: number, listed: readonly string[]): Promise<void> {
    await this.guard('forget UIDLs', () =>
      this.prisma.$executeRawUnsafe(
        `DELETE FROM pop3_seen_uidl WHERE account_id = $1 AND NOT (uidl = ANY($2::text[]))`,
        accountId,
        listed,
      ),
    );
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new MailductError(
        'STORAGE_UNAVAILABLE',
        `PostgreSQL: cannot ${what} (${(err as Error).message.slice(0, 200)})`,
        {
          cause: err,
        },
      );
    }
  }
}
