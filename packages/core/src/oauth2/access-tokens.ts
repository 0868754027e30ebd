import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connection.js';
import { recordAudit } from '../audit/index.js';
import type { SecretBox } from '../crypto/index.js';
import type { OAuth2ProviderRow, PrismaClient } from '../db/index.js';
import { isMailductError, MailductError } from '../errors/index.js';
import { redisKeys } from '../redis/keys.js';
import {
  OAuth2Client,
  PROVIDER_TIMEOUT_SECONDS,
  type IssuedTokens,
  type OAuth2ClientOptions,
} from './oauth2-client.js';
import { isInteractive } from './provider-kinds.js';
import { TokenRepository, type StoredTokens } from './token-repository.js';

/** A source of bearer tokens for one account's logins. */
export interface Bearer {
  /** A token valid for at least a minute more. */
  token(): Promise<string>;
  /** The server refused `rejected`: a new one (refreshed once for all processes), or the refusal. */
  renew(rejected: string): Promise<string>;
}

export interface AccessTokenDeps {
  prisma: PrismaClient;
  secrets: SecretBox;
  redis: RedisClient;
  prefix: string;
  client: OAuth2ClientOptions;
  /** How long one refresh may hold the lock, and others wait for it (default REFRESH_LOCK_MS). */
  refreshLockMs?: number;
}

/**
 * The refresh lock's lifetime: far longer than a refresh can take (one provider request of at most
 * PROVIDER_TIMEOUT_SECONDS, plus reads and a write), so it never lapses while its holder still
 * refreshes: a second process would then present the refresh token the first is using up.
 */
const REFRESH_LOCK_MS = 4 * PROVIDER_TIMEOUT_SECONDS * 1000;

/** A token this close to its expiry is not used any more. */
const EXPIRY_MARGIN_MS = 60_000;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Access tokens of OAuth2 accounts, over their whole life. A stored token is used until a minute
 * before it expires; then one process refreshes it under a Redis lock (two processes refreshing
 * with one rotating refresh token would lose the grant: the second would present a token the
 * first had just used up), stores the refresh token the provider returns, and the others wait
 * and take its result from the database. A refused refresh puts the account into
 * "re-authorization required" and forgets the dead tokens.
 */
export class AccessTokens {
  readonly tokens: TokenRepository;
  private readonly clients = new Map<number, { stamp: number; client: OAuth2Client }>();

  constructor(private readonly deps: AccessTokenDeps) {
    this.tokens = new TokenRepository(deps.prisma, deps.secrets);
  }

  /** The bearer source for an account's logins. */
  bearerFor(accountId: number): Bearer {
    return {
      token: () => this.accessToken(accountId),
      renew: (rejected) => this.accessToken(accountId, rejected),
    };
  }

  /** The client for a provider, rebuilt when the provider changes (discovery is cached in it). */
  clientFor(provider: OAuth2ProviderRow): OAuth2Client {
    const cached = this.clients.get(provider.id);
    if (cached && cached.stamp === provider.updatedAt.getTime()) return cached.client;
    const client = new OAuth2Client(provider, this.deps.secrets, this.deps.client);
    this.clients.set(provider.id, { stamp: provider.updatedAt.getTime(), client });
    return client;
  }

  /**
   * A usable access token; `rejected` is one the server refused, which is never handed out again.
   * Throws OAUTH2_* (the provider), STORAGE_UNAVAILABLE (PostgreSQL or Redis), ACCOUNT_NOT_FOUND.
   */
  async accessToken(accountId: number, rejected?: string): Promise<string> {
    try {
      return await this.usableToken(accountId, rejected);
    } catch (err) {
      if (isMailductError(err)) throw err;
      throw new MailductError(
        'STORAGE_UNAVAILABLE',
        `the OAuth2 token of account ${accountId} cannot be read or kept: ${(err as Error)?.message ?? String(err)}`.slice(
          0,
          500,
        ),
        { cause: err },
      );
    }
  }

  private async usableToken(accountId: number, rejected?: string): Promise<string> {
    const usable = (t: StoredTokens | null) =>
      t?.accessToken && t.accessToken !== rejected && fresh(t.accessExpiresAt) ? t.accessToken : null;
    // A login's common case: one read. Tokens exist only for OAuth2 accounts (a grant ends with its provider).
    const ready = usable(await this.tokens.read(accountId));
    if (ready) return ready;
    const { provider } = await this.accountOf(accountId);
    const lockMs = this.deps.refreshLockMs ?? REFRESH_LOCK_MS;
    const deadline = Date.now() + lockMs;
    const key = redisKeys.oauth2Refresh(this.deps.prefix, accountId);
    const token = randomBytes(9).toString('hex');
    for (;;) {
      if ((await this.deps.redis.set(key, token, 'PX', lockMs, 'NX')) === 'OK') break;
      // Another process is refreshing: its result lands in the database.
      await new Promise((r) => setTimeout(r, 100));
      const now = usable(await this.tokens.read(accountId));
      if (now) return now;
      if (Date.now() > deadline)
        throw new MailductError(
          'OAUTH2_PROVIDER_UNREACHABLE',
          `the token refresh of account ${accountId} did not finish in time`,
        );
    }
    try {
      // Whoever held the lock before may have refreshed already.
      const current = await this.tokens.read(accountId);
      return usable(current) ?? (await this.obtain(accountId, provider, current));
    } finally {
      await this.deps.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }

  private async obtain(accountId: number, provider: OAuth2ProviderRow, current: StoredTokens | null): Promise<string> {
    const client = this.clientFor(provider);
    let issued: IssuedTokens;
    if (!isInteractive(provider.grantType)) issued = await client.clientCredentials();
    else {
      if (!current?.refreshToken) throw await this.authorizationMissing(accountId);
      try {
        issued = await client.refresh(current.refreshToken);
      } catch (err) {
        if (isMailductError(err, 'OAUTH2_REAUTHORIZATION_REQUIRED')) await this.grantRefused(accountId, err);
        throw err;
      }
    }
    await this.tokens.refreshed(accountId, issued);
    return issued.accessToken;
  }

  private async grantRefused(accountId: number, err: MailductError): Promise<void> {
    await this.tokens.refused(accountId);
    await recordAudit(this.deps.prisma, {
      actor: 'fetcher',
      action: 'oauth2-refresh-refused',
      entity: 'mail_account',
      entityId: accountId,
      changes: { oauth2: { from: 'authorized', to: err.message } },
    });
  }

  private async authorizationMissing(accountId: number): Promise<MailductError> {
    const account = await this.deps.prisma.mailAccount.findUnique({
      where: { id: accountId },
      select: { oauth2ReauthorizationRequired: true },
    });
    return account?.oauth2ReauthorizationRequired
      ? new MailductError('OAUTH2_REAUTHORIZATION_REQUIRED', `mail account ${accountId} must be authorized again`)
      : new MailductError('OAUTH2_AUTHORIZATION_REQUIRED', `mail account ${accountId} has not been authorized yet`);
  }

  private async accountOf(accountId: number) {
    const account = await this.deps.prisma.mailAccount.findUnique({
      where: { id: accountId },
      include: { oauth2Provider: true },
    });
    if (!account) throw new MailductError('ACCOUNT_NOT_FOUND', `mail account ${accountId} does not exist`);
    if (!account.oauth2Provider)
      throw new MailductError('MAIL_ACCOUNT_MISCONFIGURED', `mail account ${accountId} does not sign in with OAuth2`);
    return { account, provider: account.oauth2Provider };
  }
}

function fresh(expiresAt: Date | null): boolean {
  // A token without a stated lifetime is used until a server refuses it.
  return expiresAt === null || expiresAt.getTime() - Date.now() > EXPIRY_MARGIN_MS;
}
