import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '@mailduct/core/crypto';
import { AccessTokens } from '@mailduct/core/oauth2';
import { createRedis } from '@mailduct/core/redis';
import { createTestApi, signIn, type TestApi } from '../../helpers/api.js';

// The OAuth2 parts of the admin UI and API that need no provider: expiry warnings, badges, the
// device flow refused where the provider has no endpoint for it, revoking without a revocation
// endpoint, and the provider screen's own validation.
let t: TestApi;
let ui: { cookie: string; csrf: string };
let providerId: number;
const days = (n: number) => new Date(Date.now() + n * 86_400_000);

beforeAll(async () => {
  t = await createTestApi();
  ui = await signIn(t);
  const res = await api('POST', '/api/v1/oauth2-providers', {
    name: 'Lab IdP',
    kind: 'generic',
    endpoints: { authorization: 'https://idp.example.com/authorize', token: 'https://idp.example.com/token' },
    clientId: 'lab',
    clientSecret: 'lab-secret',
    clientSecretExpiresAt: days(10).toISOString(),
    grant: 'authorization_code',
  });
  providerId = res.json().id;
});
afterAll(async () => t?.close());

function api(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
  return t.app.inject({ method, url, headers: t.auth, payload });
}
const page = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: ui.cookie } });

async function account(username: string): Promise<number> {
  const res = await api('POST', '/api/v1/mail-accounts', {
    type: 'IMAPS',
    host: 'imap.example.com',
    username,
    auth: { method: 'oauth2', providerId },
  });
  return res.json().id;
}

describe('OAuth2 in the admin UI without a provider online', () => {
  it('marks accounts that need authorization in the overview', async () => {
    await account('never-signed-in@example.com');
    const body = (await page('/accounts')).body;
    expect(body).toMatch(/Authorization required<\/span> <a href="\/accounts\/\d+#oauth2">Authorize<\/a>/);
  });

  it('warns 14 days before the refresh token or the client secret expires', async () => {
    const id = await account('expiring@example.com');
    await t.deps.tokens.tokens.authorized(
      id,
      {
        accessToken: 'a',
        accessExpiresAt: null,
        refreshToken: 'r',
        refreshExpiresAt: days(5),
        scope: null,
        identity: null,
      },
      'test',
    );
    const body = (await page(`/accounts/${id}`)).body;
    expect(body).toContain('The sign-in expires');
    expect(body).toContain('The client secret of "Lab IdP" expires');
    expect((await page('/oauth2-providers')).body).toMatch(/<span class="state-error">expires /);
    const expiresAt = (await api('GET', `/api/v1/mail-accounts/${id}`)).json().auth.refreshTokenExpiresAt as string;
    expect(Math.abs(Date.parse(expiresAt) - days(5).getTime())).toBeLessThan(60_000);
    await t.deps.prisma.oAuth2Token.update({ where: { accountId: id }, data: { refreshExpiresAt: days(60) } });
    expect((await page(`/accounts/${id}`)).body).not.toContain('The sign-in expires');
  });

  it('refuses the device flow where the provider has no device endpoint, naming it', async () => {
    const id = await account('device@example.com');
    const res = await api('POST', `/api/v1/mail-accounts/${id}/oauth2/authorize`, { flow: 'device_code' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { field: 'flow', problem: 'OAuth2 provider "Lab IdP" has no device authorization endpoint' },
    ]);
  });

  it('revokes without a revocation endpoint by forgetting the tokens, in the audit trail', async () => {
    const id = await account('revoke@example.com');
    await t.deps.tokens.tokens.authorized(
      id,
      { accessToken: 'a', accessExpiresAt: null, refreshToken: 'r', scope: null, identity: null },
      'test',
    );
    expect((await api('DELETE', `/api/v1/mail-accounts/${id}/oauth2`)).json()).toEqual({ revokedAtProvider: false });
    expect(await t.deps.prisma.oAuth2Token.count({ where: { accountId: id } })).toBe(0);
    const audit = await t.deps.prisma.auditEvent.findFirstOrThrow({
      where: { entityId: String(id), action: 'oauth2-revoke' },
    });
    expect(audit.actor).toBe('test-admin');
  });

  it('shows the provider form again with the problem next to the field and without the secret', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/oauth2-providers',
      headers: { cookie: ui.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: ui.csrf,
        name: 'Broken',
        kind: 'generic',
        clientId: 'x',
        clientSecret: 'typed-secret-value',
        grant: 'authorization_code',
        token: 'ftp://idp.example.com/token',
      }).toString(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('must be an https URL');
    expect(res.body).not.toContain('typed-secret-value');
    expect(res.body).toContain('value="Broken"');
  });
});

describe('OAuth2 tokens while Redis is down', () => {
  it('fail as a storage problem, not as a protocol one', async () => {
    const id = await account('redis-down@example.com');
    await t.deps.tokens.tokens.authorized(
      id,
      { accessToken: 'a', accessExpiresAt: new Date(0), refreshToken: 'r', scope: null, identity: null },
      'test',
    );
    const closed = createRedis('redis://127.0.0.1:1');
    try {
      const tokens = new AccessTokens({
        prisma: t.deps.prisma,
        secrets: new SecretBox(t.ctx.config.secretKey),
        redis: closed,
        prefix: t.ctx.prefix,
        client: { allowHttp: false },
      });
      await expect(tokens.accessToken(id)).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    } finally {
      closed.disconnect();
    }
  });
});
