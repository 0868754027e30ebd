import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OAuth 2.0 authorization server for the tests (oidc-provider, a certified OpenID
 * Provider) on a free loopback port: authorization code with PKCE, the device flow (RFC 8628),
 * client credentials, refresh tokens rotated on every use, RFC 7662 introspection and RFC 7009
 * revocation. Dovecot checks bearer tokens at `introspectionUrl` as client `dovecot`; a token
 * names its mail user in `username` (the signed-in account, or for client credentials the user
 * of client `mailbox-<user>`). Its sign-in page takes any user name without a password.
 */
export interface OAuth2Server {
  issuer: string;
  introspectionUrl: string;
  /** Dovecot's credentials at the introspection endpoint. */
  dovecot: { clientId: string; clientSecret: string };
  /** mailduct's client for the person grants (authorization code, device code, refresh). */
  mailduct: { clientId: string; clientSecret: string; redirectUri: string };
  /** A provider body (`POST /api/v1/oauth2-providers`) for mailduct's client at this server. */
  provider(
    name: string,
    grant?: 'authorization_code' | 'device_code',
  ): {
    name: string;
    kind: 'generic';
    issuerUrl: string;
    clientId: string;
    clientSecret: string;
    scopes: string;
    grant: 'authorization_code' | 'device_code';
  };
  /** Client credentials of `mailbox-<user>`, whose tokens open that user's mailbox. */
  appClient(user: string): { clientId: string; clientSecret: string };
  /** A fresh access token for this mail user (client credentials, scope `mail`). */
  tokenFor(user: string): Promise<string>;
  /** Revoke a token: the next login with it is refused. */
  revoke(user: string, token: string): Promise<void>;
  /** Sign in as `user` at an authorization URL, as a browser would: the callback URL it is sent to. */
  signIn(authorizationUrl: string, user: string): Promise<URL>;
  /** Enter a device flow's user code and sign in as `user`, as a person on another device would. */
  confirmDevice(userCode: string, user: string): Promise<void>;
  /** Revoke every grant of mailduct's client for `user` (consent withdrawn): its refresh tokens die. */
  withdrawConsent(user: string): Promise<void>;
  /** Answer token requests only after this many ms (0: at once), as a slow provider does. */
  slowTokens(ms: number): void;
  /** Token endpoint requests answered, by grant type. */
  tokenRequests: Record<string, number>;
  close(): Promise<void>;
}

const DOVECOT = { clientId: 'dovecot', clientSecret: 'dovecot-introspection-secret' };
const clientOf = (user: string) => ({ clientId: `mailbox-${user}`, clientSecret: `secret-of-${user}` });

export async function startOAuth2Server(
  users: readonly string[],
  options: { redirectUri?: string; accessTokenTtl?: number } = {},
): Promise<OAuth2Server> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mailduct = {
    clientId: 'mailduct',
    clientSecret: 'mailduct-client-secret',
    redirectUri: options.redirectUri ?? 'http://mailduct.test/oauth2/callback',
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: DOVECOT.clientId,
        client_secret: DOVECOT.clientSecret,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: mailduct.clientId,
        client_secret: mailduct.clientSecret,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
        redirect_uris: [mailduct.redirectUri],
      },
      ...users.map((u) => ({
        client_id: clientOf(u).clientId,
        client_secret: clientOf(u).clientSecret,
        token_endpoint_auth_method: 'client_secret_post' as const,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'mail',
      })),
    ],
    scopes: ['openid', 'offline_access', 'email', 'mail'],
    claims: { openid: ['sub'], email: ['email'] },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, email: id }) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      devInteractions: { enabled: false },
    },
    pkce: { required: () => true },
    ttl: { AccessToken: options.accessTokenTtl ?? 3600, ClientCredentials: options.accessTokenTtl ?? 3600 },
    // Every use of a refresh token returns a new one and consumes the old (as Microsoft does).
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Client-credentials tokens have no user: the mailbox client names it.
    extraTokenClaims: async (_ctx, token) => ({
      username:
        'accountId' in token && token.accountId ? token.accountId : String(token.clientId).replace(/^mailbox-/, ''),
    }),
  });
  let tokenDelayMs = 0;
  provider.use(async (ctx, next) => {
    if (ctx.path === '/token' && tokenDelayMs > 0) await new Promise((r) => setTimeout(r, tokenDelayMs));
    await next();
  });
  const tokenRequests: Record<string, number> = {};
  provider.on('grant.success', (ctx) => {
    const type = String((ctx.oidc.params as { grant_type?: string }).grant_type ?? 'unknown');
    tokenRequests[type] = (tokenRequests[type] ?? 0) + 1;
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/')) void interaction(provider, req, res);
    else callback(req, res);
  });
  const post = async (path: string, user: string, body: Record<string, string>) => {
    const res = await fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...body,
        client_id: clientOf(user).clientId,
        client_secret: clientOf(user).clientSecret,
      }),
    });
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res;
  };
  const browser = new Browser(issuer);
  return {
    issuer,
    introspectionUrl: `${issuer}/token/introspection`,
    dovecot: DOVECOT,
    mailduct,
    appClient: clientOf,
    provider: (name, grant = 'authorization_code') => ({
      name,
      kind: 'generic',
      issuerUrl: issuer,
      clientId: mailduct.clientId,
      clientSecret: mailduct.clientSecret,
      scopes: 'openid offline_access email mail',
      grant,
    }),
    tokenRequests,
    slowTokens: (ms) => void (tokenDelayMs = ms),
    async tokenFor(user) {
      const res = await post('/token', user, { grant_type: 'client_credentials', scope: 'mail' });
      return ((await res.json()) as { access_token: string }).access_token;
    },
    async revoke(user, token) {
      await post('/token/revocation', user, { token, token_type_hint: 'access_token' });
    },
    signIn: (url, user) => browser.signIn(url, user),
    confirmDevice: (userCode, user) => browser.confirmDevice(userCode, user),
    async withdrawConsent(user) {
      // Grants are kept in the provider's (in-memory) adapter; ending one ends its tokens.
      for (const id of grantsOf.get(user) ?? []) {
        const grant = await provider.Grant.find(id);
        if (grant) await grant.destroy();
        await revokeGrantTokens(provider, id);
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The grants made for each user at the sign-in page (for withdrawConsent). */
const grantsOf = new Map<string, string[]>();

async function revokeGrantTokens(provider: Provider, grantId: string): Promise<void> {
  for (const model of ['AccessToken', 'RefreshToken', 'AuthorizationCode'] as const)
    await (
      provider[model] as unknown as { adapter: { revokeByGrantId(id: string): Promise<void> } }
    ).adapter.revokeByGrantId(grantId);
}

/**
 * The sign-in page: GET shows a form for the user name, POST signs that user in and consents to
 * every scope asked for (the test plays the person; nothing here checks a password).
 */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><title>Test provider sign-in</title><h1>Sign in to the test provider</h1>` +
          `<form method="post" action="/interaction/${details.uid}"><label for="login">User name</label>` +
          `<input id="login" name="login" autofocus><button type="submit">Sign in</button></form>`,
      );
      return;
    }
    const body = new URLSearchParams(await readBody(req));
    const accountId = body.get('login') ?? '';
    const params = details.params as { client_id: string; scope?: string };
    const grant = new provider.Grant({ accountId, clientId: params.client_id });
    grant.addOIDCScope(params.scope ?? 'openid');
    grant.addOIDCClaims(['email']);
    const grantId = await grant.save();
    grantsOf.set(accountId, [...(grantsOf.get(accountId) ?? []), grantId]);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId }, consent: { grantId } },
      {
        mergeWithLastSubmission: false,
      },
    );
  } catch (err) {
    res.statusCode = 400;
    res.end(String(err));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Just enough of a browser for the provider's pages: cookies and manual redirects. */
class Browser {
  private cookies = new Map<string, string>();

  constructor(private readonly issuer: string) {}

  async signIn(authorizationUrl: string, user: string): Promise<URL> {
    // A fresh browser each time: no provider session that would sign the last user in again.
    this.cookies.clear();
    let location = await this.follow(authorizationUrl);
    if (!location.pathname.startsWith('/interaction/')) throw new Error(`no sign-in page: sent to ${location}`);
    location = await this.follow(location.href, { login: user });
    if (location.origin !== this.issuer) return location;
    return this.follow(location.href);
  }

  async confirmDevice(userCode: string, user: string): Promise<void> {
    this.cookies.clear();
    const page = await this.request(`${this.issuer}/device`);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const entered = await this.request(`${this.issuer}/device`, { xsrf, user_code: userCode });
    const confirmXsrf = /name="xsrf" value="([^"]+)"/.exec(await entered.text())?.[1] ?? '';
    const confirmed = await this.request(`${this.issuer}/device`, {
      xsrf: confirmXsrf,
      user_code: userCode,
      confirm: 'yes',
    });
    let location = new URL(confirmed.headers.get('location') ?? '', this.issuer);
    if (!location.pathname.startsWith('/interaction/')) throw new Error(`no sign-in page after the code: ${location}`);
    location = await this.follow(location.href, { login: user });
    // Back at the provider, which ends on its success page.
    while (location.origin === this.issuer) {
      const res = await this.request(location.href);
      const next = res.headers.get('location');
      if (!next) return;
      location = new URL(next, this.issuer);
    }
  }

  /** One request; the redirect it answers with, absolute. */
  private async follow(url: string, form?: Record<string, string>): Promise<URL> {
    const res = await this.request(url, form);
    const next = res.headers.get('location');
    if (!next) throw new Error(`${url} answered ${res.status} without a redirect: ${(await res.text()).slice(0, 300)}`);
    return new URL(next, url);
  }

  private async request(url: string, form?: Record<string, string>): Promise<Response> {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form) : undefined,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
    }
    return res;
  }
}
