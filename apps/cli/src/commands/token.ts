import { ROLES, TokenService, type Role } from '@mailduct/core/auth';
import type { Config } from '@mailduct/core/config';
import { createInfrastructure } from '@mailduct/core/infrastructure';
import { UsageError } from '../usage.js';

/** `mailduct token create --name N [--role admin|read-only]`, `mailduct token revoke --name N`. */
export async function token(
  config: Readonly<Config>,
  action: string | undefined,
  name: string | undefined,
  out: (line: string) => void,
  role = 'admin',
): Promise<number> {
  if (action !== 'create' && action !== 'revoke')
    throw new UsageError(`unknown token action "${action ?? ''}" (use create or revoke)`);
  if (!name) throw new UsageError(`token ${action} needs --name NAME`);
  if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got "${role}")`);
  const infra = createInfrastructure(config);
  try {
    const tokens = new TokenService(infra.prisma, undefined);
    if (action === 'create') {
      const created = await tokens.create(name, 'cli', role as Role);
      out(`Created API token "${created.name}" (${created.role}). It is shown only this once:`);
      out(created.token);
      return 0;
    }
    const revoked = await tokens.revoke(name);
    out(revoked ? `Revoked API token "${name}".` : `No active API token named "${name}".`);
    return revoked ? 0 : 1;
  } finally {
    await infra.close();
  }
}
