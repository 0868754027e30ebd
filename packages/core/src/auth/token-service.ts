import { recordAudit } from '../audit/index.js';
import { generateToken, hashToken, secretsEqual } from '../crypto/index.js';
import type { PrismaClient } from '../db/index.js';
import { MailductError, validationError } from '../errors/index.js';

/** What a token may do: admin everything; read-only every read (GET), nothing that changes or connects. */
export type Role = 'admin' | 'read-only';

export const ROLES: readonly Role[] = ['admin', 'read-only'];

/** Who a request acts as: the token's name (recorded in the audit trail) and role. */
export interface Principal {
  name: string;
  role: Role;
  /** SHA-256 of the token: a UI session signed in with it re-checks it on every request. */
  tokenHash: string;
}

const CACHE_MS = 10_000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,199}$/;

/**
 * API bearer tokens. Only SHA-256 hashes are stored. The bootstrap MAILDUCT_ADMIN_TOKEN is
 * accepted as principal "admin". Successful lookups are cached for 10 s, so a revoked token
 * stops working within 10 s.
 */
export class TokenService {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  /** SHA-256 of MAILDUCT_ADMIN_TOKEN, computed once. */
  private readonly adminHash: string | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    adminToken: string | undefined,
  ) {
    this.adminHash = adminToken === undefined ? undefined : hashToken(adminToken);
  }

  /** Create a named token and return it; it is never shown again. Throws VALIDATION_FAILED, TOKEN_EXISTS. */
  async create(
    name: string,
    actor = 'cli',
    role: Role = 'admin',
  ): Promise<{ name: string; token: string; role: Role }> {
    if (!NAME.test(name))
      throw validationError([{ field: 'name', problem: 'must be 1-200 letters, digits, spaces or . _ @ -' }]);
    if (!ROLES.includes(role))
      throw validationError([{ field: 'role', problem: `must be one of ${ROLES.join(', ')}` }]);
    const existing = await this.prisma.apiToken.findUnique({ where: { name } });
    if (existing) throw new MailductError('TOKEN_EXISTS', `a token named "${name}" already exists`);
    const token = generateToken();
    await this.prisma.$transaction(async (tx) => {
      const row = await tx.apiToken.create({ data: { name, tokenHash: hashToken(token), role } });
      await recordAudit(tx, {
        actor,
        action: 'create',
        entity: 'api_token',
        entityId: row.id,
        changes: { name: { from: null, to: name }, role: { from: null, to: role } },
      });
    });
    return { name, token, role };
  }

  /** Revoke a token by name. Returns false when there is none. */
  async revoke(name: string, actor = 'cli'): Promise<boolean> {
    const row = await this.prisma.apiToken.findUnique({ where: { name } });
    if (!row || row.revokedAt) return false;
    await this.prisma.$transaction(async (tx) => {
      await tx.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
      await recordAudit(tx, {
        actor,
        action: 'delete',
        entity: 'api_token',
        entityId: row.id,
        changes: { name: { from: name, to: null } },
      });
    });
    this.cache.clear();
    return true;
  }

  /** The principal a bearer token stands for, or null. */
  async verify(token: string): Promise<Principal | null> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return null;
    return this.verifyHash(hashToken(token));
  }

  /**
   * The principal of the token with this SHA-256, or null once it is revoked (or, for the
   * bootstrap token, no longer configured): how a UI session re-checks the token it was signed
   * in with. Answers are cached for 10 s, so a revocation reaches every replica within that.
   */
  async verifyHash(hash: string): Promise<Principal | null> {
    if (this.adminHash !== undefined && secretsEqual(hash, this.adminHash))
      return { name: 'admin', role: 'admin', tokenHash: hash };
    const hit = this.cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.principal;
    const row = /^[0-9a-f]{64}$/.test(hash)
      ? await this.prisma.apiToken.findUnique({ where: { tokenHash: hash } })
      : null;
    const principal =
      row && !row.revokedAt
        ? { name: row.name, role: (ROLES.includes(row.role as Role) ? row.role : 'read-only') as Role, tokenHash: hash }
        : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: Date.now() + CACHE_MS });
    if (principal) void this.touch(hash);
    return principal;
  }

  private async touch(hash: string): Promise<void> {
    try {
      await this.prisma.apiToken.update({ where: { tokenHash: hash }, data: { lastUsedAt: new Date() } });
    } catch {
      // lastUsedAt is informational; a failed write must not fail the request.
    }
  }
}
