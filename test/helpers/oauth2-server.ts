import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OAuth 2.0 authorization server for the tests (oidc-provider, a certified OpenID
 * Provider) on a free loopback port: client credentials, RFC 7662 introspection and RFC 7009
 * revocation. Dovecot checks bearer tokens at `introspectionUrl` as client `dovecot`; each mail
 * user has a client `mailbox-<user>` whose client-credentials tokens name that user
 * (`username` in the introspection reply).
 */
export interface OAuth2Server {
  issuer: string;
  introspectionUrl: string;
  /** Dovecot's credentials at the introspection endpoint. */
  dovecot: { clientId: string; clientSecret: string };
  /** A fresh access token for this mail user (client credentials, scope `mail`). */
  tokenFor(user: string): Promise<string>;
  /** Revoke a token: the next login with it is refused. */
  revoke(user: string, token: string): Promise<void>;
  close(): Promise<void>;
}

const DOVECOT = { clientId: 'dovecot', clientSecret: 'dovecot-introspection-secret' };
const clientOf = (user: string) => ({ id: `mailbox-${user}`, secret: `secret-of-${user}` });

export async function startOAuth2Server(users: readonly string[]): Promise<OAuth2Server> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
      ...users.map((u) => ({
        client_id: clientOf(u).id,
        client_secret: clientOf(u).secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'mail',
      })),
    ],
    scopes: ['mail'],
    features: {
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      devInteractions: { enabled: false },
    },
    // Client-credentials tokens have no user: the mailbox client names it.
    extraTokenClaims: async (_ctx, token) => ({ username: String(token.clientId ?? '').replace(/^mailbox-/, '') }),
  });
  server.on('request', provider.callback());
  const basic = (user: string) =>
    `Basic ${Buffer.from(`${clientOf(user).id}:${clientOf(user).secret}`).toString('base64')}`;
  const post = async (path: string, user: string, body: Record<string, string>) => {
    const res = await fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { authorization: basic(user), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    });
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res;
  };
  return {
    issuer,
    introspectionUrl: `${issuer}/token/introspection`,
    dovecot: DOVECOT,
    async tokenFor(user) {
      const res = await post('/token', user, { grant_type: 'client_credentials', scope: 'mail' });
      return ((await res.json()) as { access_token: string }).access_token;
    },
    async revoke(user, token) {
      await post('/token/revocation', user, { token, token_type_hint: 'access_token' });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
