import * as oidc from 'openid-client';
import type { RedisClient } from '../redis/connection.js';
import { recordAudit } from '../audit/index.js';
import { isRowId, type PrismaClient } from '../db/index.js';
import { MailductError, validationError } from '../errors/index.js';
import { serverExcerpt } from '../mail/classify-mail-error.js';
import { redisKeys } from '../redis/keys.js';
import type { AccessTokens } from './access-tokens.js';
import type { IssuedTokens, OAuth2Client } from './oauth2-client.js';
import type { OAuth2Grant } from './provider-kinds.js';

export interface AuthorizationFlowDeps {
  prisma: PrismaClient;
  redis: RedisClient;
  prefix: string;
  tokens: AccessTokens;
  /** After an account got its grant (the scheduler takes a parked account back). */
  onAuthorized?: (accountId: number) => Promise<void> | void;
}

/** A sign-in in progress, kept in Redis under its state for 10 minutes. */
interface PendingSignIn {
  accountId: number;
  providerId: number;
  verifier: string;
  redirectUri: string;
  /** Who may finish it: `session:<hash>` of the UI session, or `principal:<name>` of an API token. */
  binding: string;
}

/** A device-code sign-in as the UI and the CLI show it. */
export interface DeviceSignIn {
  status: 'pending' | 'authorized' | 'failed';
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  expiresAt: string;
  message: string | null;
}

const STATE_TTL_SECONDS = 600;

/** The binding of a sign-in started where there is no session (`mailduct oauth2 authorize`): any admin may finish it. */
export const ANY_ADMIN = 'any-admin';

/**
 * How an administrator gives an account its grant: the authorization code grant with PKCE (the
 * provider's sign-in page, back to /oauth2/callback with a single-use state bound to who started
 * it), or the device authorization grant (RFC 8628: a code entered on any device; mailduct polls).
 * The signed-in identity must be the mailbox unless the account says the token is a delegate's.
 */
export class AuthorizationFlow {
  constructor(private readonly deps: AuthorizationFlowDeps) {}

  /** The provider's sign-in URL for an account. Throws ACCOUNT_NOT_FOUND, VALIDATION_FAILED. */
  async begin(
    accountId: number,
    p: { redirectUri: string; binding: string },
  ): Promise<{ authorizationUrl: string; expiresAt: string }> {
    const { account, client } = await this.accountFor(accountId, 'authorization_code');
    const state = oidc.randomState();
    const verifier = oidc.randomPKCECodeVerifier();
    const pending: PendingSignIn = {
      accountId,
      providerId: client.provider.id,
      verifier,
      redirectUri: p.redirectUri,
      binding: p.binding,
    };
    const url = await client.authorizationUrl({
      redirectUri: p.redirectUri,
      state,
      codeChallenge: await oidc.calculatePKCECodeChallenge(verifier),
      loginHint: account.username,
    });
    await this.deps.redis.set(this.stateKey(state), JSON.stringify(pending), 'EX', STATE_TTL_SECONDS);
    return { authorizationUrl: url.href, expiresAt: new Date(Date.now() + STATE_TTL_SECONDS * 1000).toISOString() };
  }

  /**
   * The provider sent the browser back with `query`: check the state (known, unused, started by
   * `mayFinish`), exchange the code, check the identity, store the grant. Nothing is stored on any
   * failure. Throws OAUTH2_STATE_INVALID, OAUTH2_PROVIDER_REFUSED, OAUTH2_IDENTITY_MISMATCH.
   */
  async complete(
    query: URLSearchParams,
    mayFinish: (binding: string) => boolean,
    actor: string,
  ): Promise<{ accountId: number; identity: string | null }> {
    const state = query.get('state') ?? '';
    if (state === '' || state.length > 200)
      throw new MailductError('OAUTH2_STATE_INVALID', 'the sign-in answer carries no valid state');
    const raw = await this.deps.redis.getdel(this.stateKey(state));
    if (!raw)
      throw new MailductError('OAUTH2_STATE_INVALID', 'this sign-in is unknown, was finished already or has expired');
    const pending = JSON.parse(raw) as PendingSignIn;
    if (!mayFinish(pending.binding))
      throw new MailductError('OAUTH2_STATE_INVALID', 'this sign-in was started by another session or user');
    const refusal = query.get('error');
    if (refusal)
      throw new MailductError(
        'OAUTH2_PROVIDER_REFUSED',
        `the provider did not authorize the account: ${serverExcerpt(`${refusal} ${query.get('error_description') ?? ''}`)}`,
      );
    const { account, client } = await this.accountFor(pending.accountId, 'authorization_code');
    if (client.provider.id !== pending.providerId)
      throw new MailductError('OAUTH2_STATE_INVALID', 'the account changed its OAuth2 provider during the sign-in');
    const callback = new URL(pending.redirectUri);
    callback.search = query.toString();
    const issued = await client.exchangeCode(callback, { state, verifier: pending.verifier });
    await this.keep(account, client, issued, actor);
    return { accountId: account.id, identity: issued.identity };
  }

  /** Start a device-code sign-in; mailduct polls the provider until the code is entered or expires. */
  async startDevice(accountId: number, actor: string): Promise<DeviceSignIn> {
    const { account, client } = await this.accountFor(accountId, 'device_code');
    const started = await client.startDevice();
    const sign: DeviceSignIn = {
      status: 'pending',
      userCode: started.user_code,
      verificationUri: started.verification_uri,
      verificationUriComplete: started.verification_uri_complete ?? null,
      expiresAt: new Date(Date.now() + started.expires_in * 1000).toISOString(),
      message: null,
    };
    await this.saveDevice(accountId, sign);
    void client
      .pollDevice(started)
      .then((issued) => this.keep(account, client, issued, actor))
      .then(
        () => this.saveDevice(accountId, { ...sign, status: 'authorized' }),
        (err: Error) => this.saveDevice(accountId, { ...sign, status: 'failed', message: err.message }),
      )
      .catch(() => undefined);
    return sign;
  }

  /** The device-code sign-in of an account, if one is going on or just ended. */
  async deviceStatus(accountId: number): Promise<DeviceSignIn | null> {
    const raw = await this.deps.redis.get(redisKeys.oauth2Device(this.deps.prefix, accountId));
    return raw ? (JSON.parse(raw) as DeviceSignIn) : null;
  }

  /** Forget an account's tokens, revoking the refresh token at the provider where it can. */
  async revoke(accountId: number, actor: string): Promise<{ revokedAtProvider: boolean }> {
    const { client } = await this.accountFor(accountId, null);
    const stored = await this.deps.tokens.tokens.read(accountId);
    let revokedAtProvider = false;
    if (stored?.refreshToken) revokedAtProvider = await client.revoke(stored.refreshToken, 'refresh_token');
    else if (stored?.accessToken) revokedAtProvider = await client.revoke(stored.accessToken, 'access_token');
    await this.deps.tokens.tokens.forget(accountId);
    await recordAudit(this.deps.prisma, {
      actor,
      action: 'oauth2-revoke',
      entity: 'mail_account',
      entityId: accountId,
      changes: { oauth2: { from: 'authorized', to: revokedAtProvider ? 'revoked at the provider' : 'forgotten' } },
    });
    return { revokedAtProvider };
  }

  /** Check the identity and store the grant; a parked account is taken back. */
  private async keep(
    account: { id: number; username: string; oauth2Delegate: boolean },
    client: OAuth2Client,
    issued: IssuedTokens,
    actor: string,
  ): Promise<void> {
    const refuse = async (error: MailductError) => {
      await client
        .revoke(issued.refreshToken ?? issued.accessToken, issued.refreshToken ? 'refresh_token' : 'access_token')
        .catch(() => false);
      throw error;
    };
    if (issued.identity && !account.oauth2Delegate && issued.identity.toLowerCase() !== account.username.toLowerCase())
      await refuse(
        new MailductError(
          'OAUTH2_IDENTITY_MISMATCH',
          `signed in as ${serverExcerpt(issued.identity)}, but the account reads ${account.username}: sign in as ${account.username}, or set auth.delegate if ${serverExcerpt(issued.identity)} is a delegate of this shared mailbox`,
          { details: { identity: issued.identity } },
        ),
      );
    if (!issued.refreshToken)
      await refuse(
        new MailductError(
          'OAUTH2_PROVIDER_REFUSED',
          `OAuth2 provider "${client.provider.name}" issued no refresh token: the account would stop within the hour; add offline access (offline_access) to its scopes`,
        ),
      );
    await this.deps.tokens.tokens.authorized(account.id, issued, actor);
    await this.deps.prisma.mailAccount.updateMany({
      where: { id: account.id, validity: 'invalid_temporarily', parkedReason: { not: null } },
      data: {
        validity: 'valid',
        parkedReason: null,
        consecutiveFailures: 0,
        consecutiveAuthFailures: 0,
        backoffUntil: null,
      },
    });
    await recordAudit(this.deps.prisma, {
      actor,
      action: 'oauth2-authorize',
      entity: 'mail_account',
      entityId: account.id,
      changes: { oauth2: { from: null, to: issued.identity ? `signed in as ${issued.identity}` : 'authorized' } },
    });
    await this.deps.onAuthorized?.(account.id);
  }

  private async accountFor(accountId: number, flow: OAuth2Grant | null) {
    const account = isRowId(accountId)
      ? await this.deps.prisma.mailAccount.findUnique({ where: { id: accountId }, include: { oauth2Provider: true } })
      : null;
    if (!account) throw new MailductError('ACCOUNT_NOT_FOUND', `mail account ${accountId} does not exist`);
    const provider = account.oauth2Provider;
    if (!provider)
      throw validationError([
        { field: 'auth.method', problem: `mail account ${accountId} signs in with a password, not with OAuth2` },
      ]);
    const client = this.deps.tokens.clientFor(provider);
    if (flow === 'device_code' && !(await client.hasDeviceEndpoint()))
      throw validationError([
        { field: 'flow', problem: `OAuth2 provider "${provider.name}" has no device authorization endpoint` },
      ]);
    if (flow === 'authorization_code' && provider.grantType === 'client_credentials')
      throw validationError([
        { field: 'flow', problem: `OAuth2 provider "${provider.name}" uses client credentials: nobody signs in` },
      ]);
    return { account, client };
  }

  private async saveDevice(accountId: number, sign: DeviceSignIn): Promise<void> {
    const seconds = Math.max(60, Math.ceil((Date.parse(sign.expiresAt) - Date.now()) / 1000) + 600);
    await this.deps.redis.set(redisKeys.oauth2Device(this.deps.prefix, accountId), JSON.stringify(sign), 'EX', seconds);
  }

  private stateKey(state: string): string {
    return redisKeys.oauth2State(this.deps.prefix, state);
  }
}
