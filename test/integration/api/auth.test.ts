import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

let t: TestApi;
const ADMIN = 'bootstrap-admin-token-0123456789';
beforeAll(async () => {
  t = await createTestApi({ MAILDUCT_ADMIN_TOKEN: ADMIN });
});
afterAll(async () => t?.close());

const ROUTES = [
  ['GET', '/api/v1/mail-accounts'],
  ['POST', '/api/v1/mail-accounts'],
  ['GET', '/api/v1/mail-accounts/1'],
  ['PATCH', '/api/v1/mail-accounts/1'],
  ['DELETE', '/api/v1/mail-accounts/1'],
  ['GET', '/api/v1/queues'],
  ['POST', '/api/v1/queues'],
  ['GET', '/api/v1/system-addresses'],
  ['DELETE', '/api/v1/system-addresses/1'],
] as const;

describe('API authentication', () => {
  it.each(ROUTES)('%s %s without a token is 401', async (method, url) => {
    const res = await t.app.inject({ method, url, payload: method === 'POST' || method === 'PATCH' ? {} : undefined });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json().error.code).toBe('UNAUTHORIZED');
  });

  it.each(ROUTES)('%s %s with a wrong token is 401', async (method, url) => {
    const res = await t.app.inject({ method, url, headers: { authorization: 'Bearer md_wrong' } });
    expect(res.statusCode).toBe(401);
  });

  it('accepts a created token', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/mail-accounts', headers: t.auth })).statusCode).toBe(200);
  });

  it('accepts MAILDUCT_ADMIN_TOKEN and records it as "admin"', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/queues',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: { name: 'Sales' },
    });
    expect(res.statusCode).toBe(201);
    const audit = await t.deps.prisma.auditEvent.findFirst({
      where: { entity: 'queue', entityId: String(res.json().id) },
    });
    expect(audit?.actor).toBe('admin');
  });

  it('refuses other authorization schemes', async () => {
    const basic = Buffer.from(`x:${t.token}`).toString('base64');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/queues', headers: { authorization: `Basic ${basic}` } }))
        .statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/queues', headers: { authorization: t.token } })).statusCode,
    ).toBe(401);
  });

  it('stores tokens only as hashes', async () => {
    const rows = await t.deps.prisma.apiToken.findMany();
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(t.token);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
  });

  it('refuses a revoked token once the cache expires (fresh service)', async () => {
    const { token } = await t.deps.services.tokens.create('short-lived');
    const headers = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/queues', headers })).statusCode).toBe(200);
    await t.deps.services.tokens.revoke('short-lived');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/queues', headers })).statusCode).toBe(401);
  });

  it('leaves health and docs open', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
  });
});
