import type { SecretBox } from '../crypto/index.js';
import type { PrismaClient } from '../db/index.js';
import type { IssuedTokens } from './oauth2-client.js';

/** An account's tokens, opened. */
export interface StoredTokens {
  accessToken: string | null;
  accessExpiresAt: Date | null;
  refreshToken: string | null;
  refreshExpiresAt: Date | null;
  identity: string | null;
  refreshCount: number;
}

/**
 * The oauth2_token table (I/O): every token goes in sealed with the secret box and comes out
 * opened only here. A refresh that returns no new refresh token keeps the old one; one that
 * returns a new one replaces it in the same write (Microsoft rotates them).
 */
export class TokenRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly secrets: SecretBox,
  ) {}

  async read(accountId: number): Promise<StoredTokens | null> {
    const row = await this.prisma.oAuth2Token.findUnique({ where: { accountId } });
    if (!row) return null;
    return {
      accessToken: row.accessTokenEnc ? this.secrets.open(row.accessTokenEnc) : null,
      accessExpiresAt: row.accessExpiresAt,
      refreshToken: row.refreshTokenEnc ? this.secrets.open(row.refreshTokenEnc) : null,
      refreshExpiresAt: row.refreshExpiresAt,
      identity: row.identity,
      refreshCount: row.refreshCount,
    };
  }

  /** After a sign-in: the account's grant starts over, and it no longer needs re-authorization. */
  async authorized(accountId: number, t: IssuedTokens, actor: string): Promise<void> {
    const data = {
      ...this.sealed(t),
      refreshTokenEnc: t.refreshToken ? this.secrets.seal(t.refreshToken) : null,
      refreshExpiresAt: t.refreshExpiresAt ?? null,
      identity: t.identity,
      authorizedAt: new Date(),
      authorizedBy: actor,
      refreshedAt: null,
      refreshCount: 0,
    };
    await this.prisma.$transaction([
      this.prisma.oAuth2Token.upsert({ where: { accountId }, create: { accountId, ...data }, update: data }),
      this.prisma.mailAccount.update({ where: { id: accountId }, data: { oauth2ReauthorizationRequired: false } }),
    ]);
  }

  /** After a refresh or a client-credentials request. */
  async refreshed(accountId: number, t: IssuedTokens): Promise<void> {
    const data = {
      ...this.sealed(t),
      ...(t.refreshToken
        ? { refreshTokenEnc: this.secrets.seal(t.refreshToken), refreshExpiresAt: t.refreshExpiresAt ?? null }
        : {}),
      refreshedAt: new Date(),
    };
    await this.prisma.oAuth2Token.upsert({
      where: { accountId },
      create: { accountId, ...data, refreshCount: 1 },
      update: { ...data, refreshCount: { increment: 1 } },
    });
  }

  /** The grant is dead (refused by the provider): forget its tokens and say so on the account. */
  async refused(accountId: number): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.oAuth2Token.updateMany({
        where: { accountId },
        data: { accessTokenEnc: null, accessExpiresAt: null, refreshTokenEnc: null, refreshExpiresAt: null },
      }),
      this.prisma.mailAccount.update({ where: { id: accountId }, data: { oauth2ReauthorizationRequired: true } }),
    ]);
  }

  /** Drop access tokens past their expiry: no token is kept longer than it is of use. */
  async expireAccessTokens(now = new Date()): Promise<number> {
    const { count } = await this.prisma.oAuth2Token.updateMany({
      where: { accessExpiresAt: { lt: now }, accessTokenEnc: { not: null } },
      data: { accessTokenEnc: null },
    });
    return count;
  }

  /** Forget the account's tokens (revoked by an administrator). */
  async forget(accountId: number): Promise<void> {
    await this.prisma.oAuth2Token.deleteMany({ where: { accountId } });
  }

  private sealed(t: IssuedTokens) {
    return { accessTokenEnc: this.secrets.seal(t.accessToken), accessExpiresAt: t.accessExpiresAt, scope: t.scope };
  }
}
