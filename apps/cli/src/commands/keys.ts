import { rotateSecretKeys } from '@mailduct/core/accounts';
import type { Config } from '@mailduct/core/config';
import { createInfrastructure } from '@mailduct/core/infrastructure';
import { UsageError } from '../usage.js';

/** `mailduct keys rotate`: re-encrypt stored secrets (passwords, OAuth2 secrets and tokens) with the current MAILDUCT_SECRET_KEY. */
export async function keys(
  config: Readonly<Config>,
  action: string | undefined,
  out: (line: string) => void,
): Promise<number> {
  if (action !== 'rotate') throw new UsageError(`unknown keys action "${action ?? ''}" (use rotate)`);
  const infra = createInfrastructure(config);
  const { secrets } = infra;
  try {
    const result = await rotateSecretKeys(infra.prisma, secrets);
    out(
      `Re-encrypted ${result.rotated} of ${result.total} stored secrets (account passwords, OAuth2 client secrets and tokens) with key ${secrets.currentKeyId}.`,
    );
    if (result.unreadable.length > 0) {
      out(
        `Cannot decrypt: ${result.unreadable.join(', ')}. Add the key they were written with to MAILDUCT_OLD_SECRET_KEYS.`,
      );
      return 1;
    }
    return 0;
  } finally {
    await infra.close();
  }
}
