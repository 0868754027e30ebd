import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, signIn, type TestApi } from '../../helpers/api.js';

let t: TestApi;
let cookie: string;
let csrf: string;

beforeAll(async () => {
  t = await createTestApi();
  ({ cookie, csrf } = await signIn(t));
});
afterAll(async () => t?.close());

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('admin UI security', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/login',
      payload: `token=${encodeURIComponent(t.token)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('refuses form posts without the CSRF token', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/accounts',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ type: 'IMAP', host: 'x.example', username: 'u', password: 'p' }),
    });
    expect(res.statusCode).toBe(403);
    expect(await t.deps.prisma.mailAccount.count()).toBe(0);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/accounts',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: csrf, type: 'IMAP', host: 'x.example', username: 'u', password: 'p', after: 'finish' }),
    });
    expect(ok.statusCode).toBe(303);
    expect(await t.deps.prisma.mailAccount.count()).toBe(1);
  });

  it('lets the session call the API, but state-changing calls need the x-csrf-token header', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/mail-accounts', headers: { cookie } })).statusCode).toBe(
      200,
    );
    const withoutHeader = await t.app.inject({
      method: 'POST',
      url: '/api/v1/queues',
      headers: { cookie },
      payload: { name: 'X' },
    });
    expect(withoutHeader.statusCode).toBe(401);
    const withHeader = await t.app.inject({
      method: 'POST',
      url: '/api/v1/queues',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { name: 'X' },
    });
    expect(withHeader.statusCode).toBe(201);
  });

  it('escapes what users typed in every page', async () => {
    await t.deps.services.accounts.create(
      {
        type: 'POP3',
        host: 'y.example',
        username: '<script>alert(1)</script>',
        password: 'p',
        comment: '"><img src=x onerror=alert(1)>',
      },
      'test',
    );
    const page = await t.app.inject({ method: 'GET', url: '/accounts', headers: { cookie } });
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('shows a refused edit again with the problem marked, the account unchanged', async () => {
    const a = await t.deps.services.accounts.create(
      { type: 'POP3', host: 'edit.example', username: 'editor', password: 'p' },
      'test',
    );
    const headers = { cookie, 'content-type': 'application/x-www-form-urlencoded' };
    const res = await t.app.inject({
      method: 'POST',
      url: `/accounts/${a.id}`,
      headers,
      payload: form({ _csrf: csrf, type: 'POP3', host: '', username: 'changed' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Edit mail account');
    expect(res.body).toMatch(/id="err-host"[^>]*>[^<]*(required|empty)/);
    expect(res.body).toContain('value="changed"');
    expect((await t.deps.services.accounts.get(a.id)).username).toBe('editor');
    const missing = await t.app.inject({
      method: 'POST',
      url: '/accounts/999999',
      headers,
      payload: form({ _csrf: csrf, type: 'POP3', host: 'x.example', username: 'u' }),
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('mail account 999999 does not exist');
  });

  it('answers an unknown account with an HTML 404 page', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/accounts/999999', headers: { cookie } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('mail account 999999 does not exist');
  });

  it('does not redirect off-site after sign-in', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/login',
      payload: form({ token: t.token, next: '//evil.example/x' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(login.headers.location).toBe('/accounts');
  });

  it('signs out: the session no longer works', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/login',
      payload: form({ token: t.token }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const c = String(login.headers['set-cookie']).split(';')[0]!;
    const token = /name="csrf-token" content="([^"]+)"/.exec(
      (await t.app.inject({ method: 'GET', url: '/accounts', headers: { cookie: c } })).body,
    )![1]!;
    await t.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie: c, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ _csrf: token }),
    });
    expect((await t.app.inject({ method: 'GET', url: '/accounts', headers: { cookie: c } })).statusCode).toBe(303);
  });

  it('rate-limits failed sign-ins', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: '10.9.8.7',
        payload: form({ token: `guess-${i}` }),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      codes.push(res.statusCode);
    }
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  });
});
