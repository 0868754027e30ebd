import * as oidc from 'openid-client';
import type { SecretBox } from '../crypto/index.js';
import type { OAuth2ProviderRow } from '../db/index.js';
import { isMailductError, MailductError } from '../errors/index.js';
import type { MailHostPolicy } from '../mail/index.js';
import { serverExcerpt } from '../mail/classify-mail-error.js';
import { endpointsOf, scopesOf } from './provider-kinds.js';
import { draftOfRow } from './provider-service.js';
import { providerFetch } from './provider-http.js';

/** What a token endpoint gave: the access token and, for a person's grant, the refresh token. */
export interface IssuedTokens {
  accessToken: string;
  accessExpiresAt: Date | null;
  /** Absent: the provider did not rotate it (keep the one there is). */
  refreshToken?: string;
  refreshExpiresAt?: Date | null;
  scope: string | null;
  /** Who signed in (ID token: email, preferred_username or upn), where the provider says. */
  identity: string | null;
}

export interface OAuth2ClientOptions {
  /** MAILDUCT_OAUTH2_ALLOW_HTTP: plain-http providers (a test or lab provider). */
  allowHttp: boolean;
  hostPolicy?: MailHostPolicy;
  /** Seconds a provider has to answer (default PROVIDER_TIMEOUT_SECONDS). */
  timeoutSeconds?: number;
}

/** How long a provider has to answer one request; the refresh lock outlives it (access-tokens.ts). */
export const PROVIDER_TIMEOUT_SECONDS = 15;

/**
 * One OAuth2 provider as a client sees it (I/O): openid-client does the protocol (PKCE, RFC 8628,
 * client credentials, refresh, RFC 7009), this maps the provider's row to its configuration and
 * the provider's answers to mailduct's error codes. Nothing here logs or returns a token except
 * as the result of the call that obtained it.
 */
export class OAuth2Client {
  private config: Promise<oidc.Configuration> | null = null;

  constructor(
    readonly provider: OAuth2ProviderRow,
    private readonly secrets: SecretBox,
    private readonly options: OAuth2ClientOptions,
  ) {}

  /** The scopes asked for. */
  get scope(): string {
    return scopesOf(draftOfRow(this.provider));
  }

  /** Client credentials (app-only): a token with no one signing in. */
  async clientCredentials(): Promise<IssuedTokens> {
    const config = await this.configuration();
    return this.call('client credentials', async () =>
      issued(await oidc.clientCredentialsGrant(config, this.scope ? { scope: this.scope } : {})),
    );
  }

  /** A new access token from the refresh token; `invalid_grant` is OAUTH2_REAUTHORIZATION_REQUIRED. */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    const config = await this.configuration();
    return this.call('refresh', async () => issued(await oidc.refreshTokenGrant(config, refreshToken)));
  }

  /** The provider's sign-in URL for the authorization code grant with PKCE (S256). */
  async authorizationUrl(p: { redirectUri: string; state: string; codeChallenge: string; loginHint?: string }) {
    const config = await this.configuration();
    const params: Record<string, string> = {
      redirect_uri: p.redirectUri,
      scope: this.interactiveScope(),
      state: p.state,
      code_challenge: p.codeChallenge,
      code_challenge_method: 'S256',
      // Google issues a refresh token only with offline access and consent.
      ...(this.provider.kind === 'google' ? { access_type: 'offline', prompt: 'consent' } : {}),
      ...(p.loginHint ? { login_hint: p.loginHint } : {}),
    };
    return this.call('authorization URL', async () => oidc.buildAuthorizationUrl(config, params));
  }

  /** Exchange the code the callback received (state and PKCE verifier checked by openid-client). */
  async exchangeCode(callbackUrl: URL, checks: { state: string; verifier: string }): Promise<IssuedTokens> {
    const config = await this.configuration();
    return this.call('authorization code', async () =>
      issued(
        await oidc.authorizationCodeGrant(config, callbackUrl, {
          expectedState: checks.state,
          pkceCodeVerifier: checks.verifier,
          idTokenExpected: false,
        }),
      ),
    );
  }

  /** Start the device authorization grant (RFC 8628): the code and where to enter it. */
  async startDevice(): Promise<oidc.DeviceAuthorizationResponse> {
    const config = await this.configuration();
    return this.call('device authorization', () =>
      oidc.initiateDeviceAuthorization(config, { scope: this.interactiveScope() }),
    );
  }

  /** Wait until the person entered the code (polling at the provider's interval), or the code expired. */
  async pollDevice(started: oidc.DeviceAuthorizationResponse, signal?: AbortSignal): Promise<IssuedTokens> {
    const config = await this.configuration();
    return this.call('device authorization', async () =>
      issued(await oidc.pollDeviceAuthorizationGrant(config, started, undefined, { signal })),
    );
  }

  /** Whether the provider offers the device authorization grant (RFC 8628). */
  async hasDeviceEndpoint(): Promise<boolean> {
    return Boolean((await this.configuration()).serverMetadata().device_authorization_endpoint);
  }

  /** Revoke a token at the provider (RFC 7009). False when the provider has no revocation endpoint. */
  async revoke(token: string, hint: 'refresh_token' | 'access_token'): Promise<boolean> {
    const config = await this.configuration();
    if (!config.serverMetadata().revocation_endpoint) return false;
    await this.call('revocation', () => oidc.tokenRevocation(config, token, { token_type_hint: hint }));
    return true;
  }

  /** The person's grant asks for the identity too (an ID token), to check who signed in. */
  private interactiveScope(): string {
    const scopes = new Set(this.scope.split(' ').filter(Boolean));
    if (this.provider.kind !== 'generic' || scopes.has('openid')) scopes.add('openid').add('email');
    return [...scopes].join(' ');
  }

  private configuration(): Promise<oidc.Configuration> {
    this.config ??= this.call('discovery', () => this.build());
    this.config.catch(() => (this.config = null));
    return this.config;
  }

  private async build(): Promise<oidc.Configuration> {
    const p = this.provider;
    const secret = p.clientSecretEnc ? this.secrets.open(p.clientSecretEnc) : undefined;
    const auth = secret === undefined ? oidc.None() : oidc.ClientSecretPost(secret);
    const e = endpointsOf(draftOfRow(p));
    const fetcher = providerFetch(this.options.hostPolicy) as oidc.CustomFetch;
    const insecure = this.options.allowHttp ? [oidc.allowInsecureRequests] : [];
    const timeout = this.options.timeoutSeconds ?? PROVIDER_TIMEOUT_SECONDS;
    // Microsoft is discovered too: its ID tokens name the user's tenant, which only discovery maps.
    const discover = e.discover || p.kind === 'microsoft';
    const config = discover
      ? await oidc.discovery(new URL(e.issuer!), p.clientId, undefined, auth, {
          execute: insecure,
          [oidc.customFetch]: fetcher,
          timeout,
        })
      : new oidc.Configuration(serverMetadata(e), p.clientId, undefined, auth);
    if (!discover) {
      config[oidc.customFetch] = fetcher;
      config.timeout = timeout;
      for (const apply of insecure) apply(config);
    }
    if (discover && p.kind === 'generic') override(config, e);
    return config;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw providerError(this.provider.name, what, err);
    }
  }
}

function serverMetadata(e: ReturnType<typeof endpointsOf>): oidc.ServerMetadata {
  return {
    issuer: e.issuer ?? new URL(e.token!).origin,
    ...(e.authorization ? { authorization_endpoint: e.authorization } : {}),
    ...(e.token ? { token_endpoint: e.token } : {}),
    ...(e.deviceAuthorization ? { device_authorization_endpoint: e.deviceAuthorization } : {}),
    ...(e.revocation ? { revocation_endpoint: e.revocation } : {}),
  };
}

/** Endpoints a generic provider names itself win over discovered ones. */
function override(config: oidc.Configuration, e: ReturnType<typeof endpointsOf>): void {
  const m = config.serverMetadata() as oidc.ServerMetadata;
  const own = serverMetadata(e);
  for (const key of [
    'authorization_endpoint',
    'token_endpoint',
    'device_authorization_endpoint',
    'revocation_endpoint',
  ])
    if (own[key] !== undefined) (m as Record<string, unknown>)[key] = own[key];
}

function issued(r: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): IssuedTokens {
  const claims = r.id_token ? r.claims() : undefined;
  const identity = claims ? (claims.email ?? claims.preferred_username ?? claims.upn ?? claims.sub) : undefined;
  const expiresIn = r.expiresIn();
  const refreshIn = Number((r as Record<string, unknown>).refresh_token_expires_in);
  return {
    accessToken: r.access_token,
    accessExpiresAt: expiresIn === undefined ? null : new Date(Date.now() + expiresIn * 1000),
    ...(r.refresh_token ? { refreshToken: r.refresh_token } : {}),
    ...(r.refresh_token
      ? { refreshExpiresAt: Number.isFinite(refreshIn) ? new Date(Date.now() + refreshIn * 1000) : null }
      : {}),
    scope: r.scope ?? null,
    identity: typeof identity === 'string' ? identity : null,
  };
}

/**
 * The provider's refusal as one of mailduct's codes: a refused grant means a person must sign in
 * again; a refused client (secret, scope, consent) is the provider's configuration; no answer or
 * a server error is transient. The provider's own words are quoted, bounded and printable.
 */
function providerError(provider: string, what: string, err: unknown): MailductError {
  if (isMailductError(err)) return err;
  if (err instanceof oidc.ResponseBodyError) {
    const said = serverExcerpt(`${err.error}${err.error_description ? `: ${err.error_description}` : ''}`);
    if (err.status >= 500)
      return new MailductError(
        'OAUTH2_PROVIDER_UNREACHABLE',
        `OAuth2 provider "${provider}" failed (${what}): HTTP ${err.status} ${said}`,
      );
    if (err.error === 'invalid_grant' && what !== 'client credentials')
      return new MailductError(
        'OAUTH2_REAUTHORIZATION_REQUIRED',
        `OAuth2 provider "${provider}" refused the grant (${said}): authorize the account again`,
      );
    return new MailductError(
      'OAUTH2_PROVIDER_REFUSED',
      `OAuth2 provider "${provider}" refused the client (${what}): ${said}`,
    );
  }
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const network = e.name === 'TypeError' || e.name === 'AbortError' || e.name === 'TimeoutError' || e.cause?.code;
  const detail = serverExcerpt(e.cause?.message ?? e.message ?? String(err));
  if (network)
    return new MailductError(
      'OAUTH2_PROVIDER_UNREACHABLE',
      `OAuth2 provider "${provider}" cannot be reached (${what}): ${detail}`,
    );
  return new MailductError('OAUTH2_PROVIDER_REFUSED', `OAuth2 provider "${provider}" (${what}): ${detail}`);
}
