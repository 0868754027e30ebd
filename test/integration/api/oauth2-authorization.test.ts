import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { createTestApi, signIn, type TestApi } from '../../helpers/api.js';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { startOAuth2Server, type OAuth2Server } from '../../helpers/oauth2-server.js';
import { once } from 'node:events';
import { runCli, spawnCli } from '../../helpers/cli.js';
import { testFetchRuntime } from '../../helpers/runtime.js';

// The authorization code grant with PKCE through the API and the callback, against a real
// authorization server, then a fetch with the grant from Dovecot checking its tokens.
let as: OAuth2Server;
let dc: Dovecot;
let t: TestApi;
let providerId: number;
let ui: { cookie: string; csrf: string };

beforeAll(async () => {
  as = await startOAuth2Server(['user1', 'user2', 'user3', 'user4', 'user5', 'user6']);
  dc = await startDovecot({ users: 6, noTls: true, oauth2: { introspectionUrl: as.introspectionUrl, ...as.dovecot } });
  t = await createTestApi({ MAILDUCT_OAUTH2_ALLOW_HTTP: 'true', MAILDUCT_PUBLIC_URL: 'http://mailduct.test' });
  const created = await api('POST', '/api/v1/oauth2-providers', as.provider('Test provider'));
  providerId = created.json().id;
  ui = await signIn(t);
}, 60_000);
afterAll(async () => {
  await t?.close();
  await dc?.stop();
  await as?.close();
});

function api(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  return t.app.inject({ method, url, headers: t.auth, payload });
}

/** As the admin UI calls it: with the session cookie and its CSRF token. */
function fromUi(method: 'GET' | 'POST', url: string, payload?: object, session = ui) {
  return t.app.inject({ method, url, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf }, payload });
}

async function oauthAccount(user: string, extra: object = {}, type: 'IMAP' | 'POP3' = 'IMAP'): Promise<number> {
  const res = await api('POST', '/api/v1/mail-accounts', {
    type,
    host: '127.0.0.1',
    port: type === 'IMAP' ? dc.imapPort : dc.pop3Port,
    username: user,
    auth: { method: 'oauth2', providerId, ...extra },
  });
  expect(res.statusCode).toBe(201);
  return res.json().id;
}

/** Start from the UI, sign in at the provider as `user`, come back: the callback's answer. */
async function authorizeAs(id: number, user: string, session = ui) {
  const started = await fromUi('POST', `/api/v1/mail-accounts/${id}/oauth2/authorize`, {}, session);
  expect(started.statusCode).toBe(200);
  const back = await as.signIn(started.json().authorizationUrl, user);
  expect(back.origin + back.pathname).toBe('http://mailduct.test/oauth2/callback');
  const res = await t.app.inject({
    method: 'GET',
    url: `${back.pathname}${back.search}`,
    headers: { cookie: session.cookie },
  });
  return { res, back };
}

describe('authorization code with PKCE', () => {
  it('sends the admin to the provider with PKCE and a state, stores the grant at the callback, and fetches with it', async () => {
    const id = await oauthAccount('user1');
    expect((await api('GET', `/api/v1/mail-accounts/${id}`)).json().auth.state).toBe('authorization_required');
    const started = await fromUi('POST', `/api/v1/mail-accounts/${id}/oauth2/authorize`);
    const url = new URL(started.json().authorizationUrl);
    expect(url.origin).toBe(as.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'mailduct',
      redirect_uri: 'http://mailduct.test/oauth2/callback',
      code_challenge_method: 'S256',
      login_hint: 'user1',
      response_type: 'code',
    });
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    const back = await as.signIn(url.href, 'user1');
    const res = await t.app.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: { cookie: ui.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('is authorized as <strong>user1</strong>');
    expect((await api('GET', `/api/v1/mail-accounts/${id}`)).json().auth).toMatchObject({
      method: 'oauth2',
      state: 'ready',
      identity: 'user1',
    });

    // The same answer again: the state was used up.
    const again = await t.app.inject({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      headers: { cookie: ui.cookie },
    });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('unknown, was finished already or has expired');

    await dc.seed('user1', 3, 2000, { prefix: 'code-grant' });
    const fetcher = testFetchRuntime(t.ctx.config, createLogger({ level: 'silent' }));
    try {
      const outcome = await fetcher.service.fetchAccount({ accountId: id, trigger: 'manual' });
      expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 3, deleted: 3 } });
    } finally {
      await fetcher.close();
    }
    const audit = await t.deps.prisma.auditEvent.findMany({
      where: { entityId: String(id), action: 'oauth2-authorize' },
    });
    expect(audit).toHaveLength(1);
  });

  it('tests, dry-runs, fetches now and fetches from the CLI with the grant, masking the token in --debug', async () => {
    const id = (await api('GET', '/api/v1/mail-accounts?q=user1')).json().items[0].id as number;
    await dc.seed('user1', 2, 2000, { prefix: 'operations' });
    expect((await api('POST', `/api/v1/mail-accounts/${id}/test`)).json()).toMatchObject({ ok: true, messages: 2 });
    const unsaved = {
      type: 'IMAP',
      host: '127.0.0.1',
      port: dc.imapPort,
      username: 'user1',
      auth: { method: 'oauth2', providerId },
    };
    expect((await api('POST', '/api/v1/mail-accounts/test', { ...unsaved, accountId: id })).json()).toMatchObject({
      ok: true,
    });
    const noAccount = await api('POST', '/api/v1/mail-accounts/test', unsaved);
    expect(noAccount.json().error.details).toEqual([
      { field: 'auth', problem: 'an OAuth2 account can be tested once it is saved and authorized' },
    ]);
    const elsewhere = await api('POST', '/api/v1/mail-accounts/test', { ...unsaved, accountId: id, username: 'user2' });
    expect(elsewhere.statusCode).toBe(400);
    expect((await api('POST', `/api/v1/mail-accounts/${id}/dry-run`)).json()).toMatchObject({ total: 2 });
    expect((await api('POST', `/api/v1/mail-accounts/${id}/fetch`)).statusCode).toBe(202);
    const token = (await t.deps.tokens.tokens.read(id))!.accessToken!;
    const cli = await runCli(['fetch', '--account-id', String(id), '--debug'], t.ctx.env);
    expect(cli.code, cli.stderr).toBe(0);
    expect(`${cli.stdout}${cli.stderr}`).toMatch(/AUTHENTICATE/);
    expect(`${cli.stdout}${cli.stderr}`).not.toContain(token);
    expect(`${cli.stdout}${cli.stderr}`).not.toMatch(/[A-Za-z0-9+/=]{120,}/);
    expect(dc.count('user1')).toBe(0);
  });

  it('refuses a state that is made up, missing, or started by another session, storing nothing', async () => {
    const id = await oauthAccount('user2');
    const get = (query: string, cookie = ui.cookie) =>
      t.app.inject({ method: 'GET', url: `/oauth2/callback${query}`, headers: { cookie } });
    expect((await get('?code=abc&state=made-up-state-value')).statusCode).toBe(400);
    expect((await get('?code=abc')).body).toContain('carries no valid state');
    // Started in one UI session, finished in another: refused (the state is bound to the session).
    const started = await fromUi('POST', `/api/v1/mail-accounts/${id}/oauth2/authorize`);
    const back = await as.signIn(started.json().authorizationUrl, 'user2');
    const other = await signIn(t);
    const res = await get(back.search, other.cookie);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('started by another session or user');
    expect(await t.deps.prisma.oAuth2Token.count({ where: { accountId: id } })).toBe(0);
    // Without a session the browser signs in first and comes back.
    const anonymous = await t.app.inject({ method: 'GET', url: `/oauth2/callback${back.search}` });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login\?next=%2Foauth2%2Fcallback/);
  });

  it('lets an API client start it; any UI session of the same principal finishes it', async () => {
    const id = await oauthAccount('user2', {}, 'POP3');
    const started = await api('POST', `/api/v1/mail-accounts/${id}/oauth2/authorize`);
    const back = await as.signIn(started.json().authorizationUrl, 'user2');
    const res = await t.app.inject({
      method: 'GET',
      url: `/oauth2/callback${back.search}`,
      headers: { cookie: ui.cookie },
    });
    expect(res.statusCode).toBe(200);
  });

  it('refuses a token of another identity than the mailbox, unless the account says it is a delegate', async () => {
    const id = await oauthAccount('user3');
    const { res } = await authorizeAs(id, 'user4');
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('signed in as user4, but the account reads user3');
    expect(await t.deps.prisma.oAuth2Token.count({ where: { accountId: id } })).toBe(0);
    await api('PATCH', `/api/v1/mail-accounts/${id}`, { auth: { method: 'oauth2', providerId, delegate: true } });
    expect((await authorizeAs(id, 'user4')).res.statusCode).toBe(200);
    expect((await api('GET', `/api/v1/mail-accounts/${id}`)).json().auth).toMatchObject({
      delegate: true,
      identity: 'user4',
      state: 'ready',
    });
  });

  it('revokes the grant at the provider and forgets the tokens', async () => {
    const id = await oauthAccount('user4');
    await authorizeAs(id, 'user4');
    const refresh = (await t.deps.tokens.tokens.read(id))!.refreshToken!;
    const res = await api('DELETE', `/api/v1/mail-accounts/${id}/oauth2`);
    expect(res.json()).toEqual({ revokedAtProvider: true });
    expect(await t.deps.prisma.oAuth2Token.count({ where: { accountId: id } })).toBe(0);
    expect((await api('GET', `/api/v1/mail-accounts/${id}`)).json().auth.state).toBe('authorization_required');
    // The provider no longer takes the refresh token.
    const reuse = await fetch(`${as.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, ...clientOf(as) }),
    });
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('names the problem for accounts that cannot be authorized this way', async () => {
    const pw = await api('POST', '/api/v1/mail-accounts', {
      type: 'IMAP',
      host: 'x.example.com',
      username: 'p',
      password: 'x',
    });
    const res = await api('POST', `/api/v1/mail-accounts/${pw.json().id}/oauth2/authorize`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { field: 'auth.method', problem: `mail account ${pw.json().id} signs in with a password, not with OAuth2` },
    ]);
    expect((await api('POST', '/api/v1/mail-accounts/99999/oauth2/authorize')).statusCode).toBe(404);
  });
});

describe('device authorization grant (RFC 8628)', () => {
  let deviceProvider: number;
  beforeAll(async () => {
    const res = await api('POST', '/api/v1/oauth2-providers', as.provider('Device provider', 'device_code'));
    deviceProvider = res.json().id;
  });

  it('shows a code to enter elsewhere and stores the grant once someone entered it', async () => {
    const id = await oauthAccount('user5', { providerId: deviceProvider });
    const started = await fromUi('POST', `/api/v1/mail-accounts/${id}/oauth2/authorize`);
    expect(started.json()).toMatchObject({ flow: 'device_code', status: 'pending' });
    const { userCode, verificationUri } = started.json();
    expect(verificationUri).toBe(`${as.issuer}/device`);
    expect((await api('GET', `/api/v1/mail-accounts/${id}/oauth2`)).json().device).toMatchObject({ status: 'pending' });
    await as.confirmDevice(userCode, 'user5');
    let status = '';
    for (let i = 0; i < 200 && status !== 'authorized'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await api('GET', `/api/v1/mail-accounts/${id}/oauth2`)).json().device.status;
    }
    expect(status).toBe('authorized');
    expect((await api('GET', `/api/v1/mail-accounts/${id}`)).json().auth).toMatchObject({
      state: 'ready',
      identity: 'user5',
    });
  }, 30_000);

  it('mailduct oauth2 authorize --device prints the code and waits until it is entered', async () => {
    const id = await oauthAccount('user6');
    const child = spawnCli(['oauth2', 'authorize', '--account-id', String(id), '--device'], t.ctx.env);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 200 && !/enter the code (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    const code = /enter the code (\S+)/.exec(out)?.[1];
    expect(code, out).toBeTruthy();
    await as.confirmDevice(code!, 'user6');
    const [exit] = await once(child, 'exit');
    expect(exit, out).toBe(0);
    expect(out).toContain(`Mail account ${id} is authorized.`);
    expect((await api('GET', `/api/v1/mail-accounts/${id}`)).json().auth).toMatchObject({ state: 'ready' });
  }, 30_000);
});

function clientOf(server: OAuth2Server) {
  return { client_id: server.mailduct.clientId, client_secret: server.mailduct.clientSecret };
}
