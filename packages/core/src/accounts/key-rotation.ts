import { recordAudit } from '../audit/index.js';
import type { SecretBox } from '../crypto/index.js';
import type { PrismaClient } from '../db/index.js';

/** The outcome of re-encrypting stored secrets. */
export interface RotationResult {
  total: number;
  rotated: number;
  /** What could not be decrypted with any configured key, e.g. "password of mail account 3". */
  unreadable: string[];
}

/**
 * Every column holding a secret-box envelope (an empty one holds nothing: an OAuth2 account's
 * password). Table and column names are constants, never input.
 */
const SEALED = [
  { table: 'mail_account', key: 'id', column: 'password_enc', what: 'password of mail account' },
  { table: 'oauth2_provider', key: 'id', column: 'client_secret_enc', what: 'client secret of OAuth2 provider' },
  {
    table: 'oauth2_token',
    key: 'account_id',
    column: 'refresh_token_enc',
    what: 'OAuth2 refresh token of mail account',
  },
  { table: 'oauth2_token', key: 'account_id', column: 'access_token_enc', what: 'OAuth2 access token of mail account' },
] as const;

/**
 * Re-encrypt every stored secret (account passwords, OAuth2 client secrets, refresh and access
 * tokens) that was not written with the current key. Old keys must still be configured
 * (MAILDUCT_OLD_SECRET_KEYS) to read them. Safe to run again at any time; a secret changed
 * meanwhile (a refresh storing a new token) wins over the re-encrypted old one.
 */
export async function rotateSecretKeys(
  prisma: PrismaClient,
  secrets: SecretBox,
  actor = 'cli',
): Promise<RotationResult> {
  const result: RotationResult = { total: 0, rotated: 0, unreadable: [] };
  for (const sealed of SEALED) await rotateColumn(prisma, secrets, sealed, result);
  if (result.rotated > 0) {
    await recordAudit(prisma, {
      actor,
      action: 'rotate-key',
      entity: 'mail_account',
      entityId: '*',
      changes: { secrets: { secret: true, changed: true } },
    });
  }
  return result;
}

async function rotateColumn(
  prisma: PrismaClient,
  secrets: SecretBox,
  s: (typeof SEALED)[number],
  result: RotationResult,
): Promise<void> {
  let cursor = 0;
  for (;;) {
    const batch = await prisma.$queryRawUnsafe<{ id: number; enc: string }[]>(
      `SELECT "${s.key}" AS id, "${s.column}" AS enc FROM "${s.table}"
        WHERE "${s.key}" > $1 AND "${s.column}" IS NOT NULL AND "${s.column}" <> '' ORDER BY "${s.key}" LIMIT 500`,
      cursor,
    );
    if (batch.length === 0) return;
    for (const row of batch) {
      result.total++;
      if (!secrets.needsRotation(row.enc)) continue;
      let plain: string;
      try {
        plain = secrets.open(row.enc);
      } catch {
        result.unreadable.push(`${s.what} ${row.id}`);
        continue;
      }
      // Compare-and-set on the old envelope: a concurrent change wins.
      result.rotated += await prisma.$executeRawUnsafe(
        `UPDATE "${s.table}" SET "${s.column}" = $1 WHERE "${s.key}" = $2 AND "${s.column}" = $3`,
        secrets.seal(plain),
        row.id,
        row.enc,
      );
    }
    cursor = batch[batch.length - 1]!.id;
  }
}
