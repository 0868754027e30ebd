import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(async () => t?.close());

const req = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth, payload });

const microsoft = {
  name: 'Contoso 365',
  kind: 'microsoft',
  tenant: 'contoso.onmicrosoft.com',
  clientId: '11111111-2222-3333-4444-555555555555',
  clientSecret: 'entra-client-secret-value',
  grant: 'authorization_code',
};

describe('/api/v1/oauth2-providers', () => {
  it('creates a Microsoft provider with its known endpoints and default scopes, never returning the secret', async () => {
    const res = await req('POST', '/api/v1/oauth2-providers', microsoft);
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(view).toMatchObject({
      kind: 'microsoft',
      tenant: 'contoso.onmicrosoft.com',
      hasClientSecret: true,
      scopes: null,
      effectiveScopes:
        'https://outlook.office365.com/IMAP.AccessAsUser.All https://outlook.office365.com/POP.AccessAsUser.All offline_access',
      endpoints: {
        token: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
        deviceAuthorization: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode',
        revocation: null,
      },
      accounts: 0,
    });
    expect(res.body).not.toContain('entra-client-secret-value');
    const row = await t.deps.prisma.oAuth2Provider.findUniqueOrThrow({ where: { id: view.id } });
    expect(row.clientSecretEnc).toMatch(/^v1\./);
    expect(row.clientSecretEnc).not.toContain('entra-client-secret-value');
    const audit = await t.deps.prisma.auditEvent.findFirstOrThrow({ where: { entity: 'oauth2_provider' } });
    expect(JSON.stringify(audit.changes)).not.toContain('entra-client-secret-value');
    expect((await req('GET', '/api/v1/oauth2-providers')).json().items.map((p: { name: string }) => p.name)).toContain(
      'Contoso 365',
    );
  });

  it('knows the app-only and Google defaults', async () => {
    const appOnly = await req('POST', '/api/v1/oauth2-providers', {
      ...microsoft,
      name: 'Contoso app-only',
      grant: 'client_credentials',
    });
    expect(appOnly.json().effectiveScopes).toBe('https://outlook.office365.com/.default');
    const google = await req('POST', '/api/v1/oauth2-providers', {
      name: 'Example Workspace',
      kind: 'google',
      clientId: 'x.apps.googleusercontent.com',
      clientSecret: 'g-secret',
      grant: 'device_code',
    });
    expect(google.json()).toMatchObject({
      effectiveScopes: 'https://mail.google.com/',
      endpoints: { revocation: 'https://oauth2.googleapis.com/revoke' },
    });
  });

  it('names each bad field: endpoints a generic grant needs, kinds that take no tenant, plain http', async () => {
    const res = await req('POST', '/api/v1/oauth2-providers', {
      name: 'Lab',
      kind: 'generic',
      clientId: 'c',
      grant: 'device_code',
      endpoints: { token: 'http://idp.example.com/token' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual(
      expect.arrayContaining([
        { field: 'endpoints.token', problem: 'must be an https URL (http only with MAILDUCT_OAUTH2_ALLOW_HTTP)' },
      ]),
    );
    const missing = await req('POST', '/api/v1/oauth2-providers', {
      name: 'Lab',
      kind: 'generic',
      clientId: 'c',
      grant: 'device_code',
      endpoints: { token: 'https://idp.example.com/token' },
    });
    expect(missing.json().error.details).toEqual([
      { field: 'endpoints.deviceAuthorization', problem: 'is required for the device_code grant without an issuerUrl' },
    ]);
    const google = await req('POST', '/api/v1/oauth2-providers', {
      name: 'G',
      kind: 'google',
      tenant: 'x',
      clientId: 'c',
      grant: 'authorization_code',
    });
    expect(google.json().error.details).toEqual([{ field: 'tenant', problem: 'is only for microsoft providers' }]);
    const noSecret = await req('POST', '/api/v1/oauth2-providers', {
      ...microsoft,
      name: 'No secret',
      clientSecret: null,
      grant: 'client_credentials',
    });
    expect(noSecret.json().error.details).toEqual([
      { field: 'clientSecret', problem: 'is required for the client_credentials grant (a confidential client)' },
    ]);
    const unknown = await req('POST', '/api/v1/oauth2-providers', { ...microsoft, name: 'U', kind: 'okta' });
    expect(unknown.json().error.details).toEqual([
      { field: 'kind', in: 'body', problem: 'must be one of microsoft, google, generic' },
    ]);
  });

  it('changes a provider, keeping the secret unless one is given, and refuses a duplicate name', async () => {
    const { id } = (await req('POST', '/api/v1/oauth2-providers', { ...microsoft, name: 'To change' })).json();
    const before = await t.deps.prisma.oAuth2Provider.findUniqueOrThrow({ where: { id } });
    const changed = await req('PATCH', `/api/v1/oauth2-providers/${id}`, { scopes: ' a   b ', tenant: 'common' });
    expect(changed.json()).toMatchObject({ scopes: 'a   b', effectiveScopes: 'a b', tenant: 'common' });
    const after = await t.deps.prisma.oAuth2Provider.findUniqueOrThrow({ where: { id } });
    expect(after.clientSecretEnc).toBe(before.clientSecretEnc);
    const dup = await req('PATCH', `/api/v1/oauth2-providers/${id}`, { name: 'contoso 365' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('OAUTH2_PROVIDER_EXISTS');
    expect((await req('PATCH', `/api/v1/oauth2-providers/${id}`, { clientSecret: null })).json().hasClientSecret).toBe(
      false,
    );
  });

  it('refuses to delete a provider an account signs in with (409), and deletes it afterwards', async () => {
    const provider = (await req('POST', '/api/v1/oauth2-providers', { ...microsoft, name: 'In use' })).json();
    const account = await req('POST', '/api/v1/mail-accounts', {
      type: 'IMAPS',
      host: 'outlook.office365.com',
      username: 'support@contoso.com',
      auth: { method: 'oauth2', providerId: provider.id },
    });
    expect(account.statusCode).toBe(201);
    expect(account.json()).toMatchObject({
      hasPassword: false,
      auth: { method: 'oauth2', providerId: provider.id, providerName: 'In use', state: 'authorization_required' },
    });
    expect((await req('GET', `/api/v1/oauth2-providers/${provider.id}`)).json().accounts).toBe(1);
    const refused = await req('DELETE', `/api/v1/oauth2-providers/${provider.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: 'OAUTH2_PROVIDER_IN_USE',
      message: `OAuth2 provider "In use" is in use by mail accounts ${account.json().id}`,
    });
    await req('DELETE', `/api/v1/mail-accounts/${account.json().id}`);
    expect((await req('DELETE', `/api/v1/oauth2-providers/${provider.id}`)).statusCode).toBe(204);
    expect((await req('GET', `/api/v1/oauth2-providers/${provider.id}`)).json().error.code).toBe(
      'OAUTH2_PROVIDER_NOT_FOUND',
    );
  });
});

describe('the auth setting of mail accounts', () => {
  it('keeps accounts created without it password accounts, as before', async () => {
    const res = await req('POST', '/api/v1/mail-accounts', {
      type: 'IMAP',
      host: 'mail.example.com',
      username: 'plain',
      password: 'pw',
    });
    expect(res.json()).toMatchObject({ hasPassword: true, auth: { method: 'password' } });
  });

  it('names the problem: no provider, an unknown provider, a password beside oauth2, none for password', async () => {
    const base = { type: 'POP3S', host: 'pop.example.com', username: 'a' };
    const noProvider = await req('POST', '/api/v1/mail-accounts', { ...base, auth: { method: 'oauth2' } });
    expect(noProvider.json().error.details).toEqual([
      { field: 'auth.providerId', problem: 'is required when auth.method is "oauth2"' },
    ]);
    const unknown = await req('POST', '/api/v1/mail-accounts', {
      ...base,
      auth: { method: 'oauth2', providerId: 999 },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details).toEqual([
      { field: 'auth.providerId', problem: 'OAuth2 provider 999 does not exist' },
    ]);
    const p = (await req('POST', '/api/v1/oauth2-providers', { ...microsoft, name: 'For rules' })).json();
    const both = await req('POST', '/api/v1/mail-accounts', {
      ...base,
      password: 'x',
      auth: { method: 'oauth2', providerId: p.id },
    });
    expect(both.json().error.details).toEqual([
      { field: 'password', problem: 'is not used with auth.method "oauth2": leave it out' },
    ]);
    const none = await req('POST', '/api/v1/mail-accounts', base);
    expect(none.json().error.details).toEqual([{ field: 'password', problem: 'is required' }]);
  });

  it('switches an account between password and OAuth2, keeping no password and no grant of another provider', async () => {
    const p = (await req('POST', '/api/v1/oauth2-providers', { ...microsoft, name: 'Switch' })).json();
    const { id } = (
      await req('POST', '/api/v1/mail-accounts', { type: 'IMAP', host: 'h.example.com', username: 's', password: 'pw' })
    ).json();
    const toOAuth = await req('PATCH', `/api/v1/mail-accounts/${id}`, { auth: { method: 'oauth2', providerId: p.id } });
    expect(toOAuth.json()).toMatchObject({ hasPassword: false, auth: { method: 'oauth2' } });
    expect((await t.deps.prisma.mailAccount.findUniqueOrThrow({ where: { id } })).passwordEnc).toBe('');
    await t.deps.prisma.oAuth2Token.create({ data: { accountId: id, refreshTokenEnc: 'v1.x' } });
    const back = await req('PATCH', `/api/v1/mail-accounts/${id}`, { auth: { method: 'password' } });
    expect(back.json().error.details).toEqual([{ field: 'password', problem: 'is required' }]);
    const done = await req('PATCH', `/api/v1/mail-accounts/${id}`, { auth: { method: 'password' }, password: 'new' });
    expect(done.json()).toMatchObject({ hasPassword: true, auth: { method: 'password' } });
    expect(await t.deps.prisma.oAuth2Token.count({ where: { accountId: id } })).toBe(0);
  });
});
