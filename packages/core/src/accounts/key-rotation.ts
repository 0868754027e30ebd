import { recordAudit } from '../audit/index.js';
import type { SecretBox } from '../crypto/index.js';
import type { PrismaClient } from '../db/index.js';

/** The outcome of re-encrypting stored passwords. */
export interface RotationResult {
  total: number;
  rotated: number;
  /** Accounts whose password could not be decrypted with any configured key. */
  unreadable: number[];
}

/**
 * Re-encrypt every account password that was not written with the current key. Old keys must
 * still be configured (MAILDUCT_OLD_SECRET_KEYS) to read them. Safe to run again at any time.
 */
export async function rotateAccountKeys(
  prisma: PrismaClient,
  secrets: SecretBox,
  actor = 'cli',
): Promise<RotationResult> {
  const result: RotationResult = { total: 0, rotated: 0, unreadable: [] };
  let cursor = 0;
  for (;;) {
    const batch = await prisma.mailAccount.findMany({
      where: { id: { gt: cursor } },
      orderBy: { id: 'asc' },
      take: 500,
      select: { id: true, passwordEnc: true },
    });
    if (batch.length === 0) break;
    for (const row of batch) {
      result.total++;
      if (!secrets.needsRotation(row.passwordEnc)) continue;
      let plain: string;
      try {
        plain = secrets.open(row.passwordEnc);
      } catch {
        result.unreadable.push(row.id);
        continue;
      }
      // Compare-and-set on the old envelope: a concurrent password change wins.
      const updated = await prisma.mailAccount.updateMany({
        where: { id: row.id, passwordEnc: row.passwordEnc },
        data: { passwordEnc: secrets.seal(plain) },
      });
      result.rotated += updated.count;
    }
    cursor = batch[batch.length - 1]!.id;
  }
  if (result.rotated > 0) {
    await recordAudit(prisma, {
      actor,
      action: 'rotate-key',
      entity: 'mail_account',
      entityId: '*',
      changes: { password: { secret: true, changed: true } },
    });
  }
  return result;
}
