import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

// Guessing tokens is limited per client, also without Redis and behind a proxy; UI pages carry
// the headers that keep them out of frames and sniffing.
const form = (fields: Record<string, string>) => ({
  payload: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

describe('bearer tokens', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi();
  });
  afterAll(async () => t?.close());

  it('30 wrong tokens a minute from one client, then 429 with Retry-After; other clients are not affected', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 32; i++)
      codes.push(
        (
          await t.app.inject({
            method: 'GET',
            url: '/api/v1/queues',
            remoteAddress: '10.1.1.1',
            headers: { authorization: `Bearer guess-${i}` },
          })
        ).statusCode,
      );
    expect(codes.slice(0, 30).every((c) => c === 401)).toBe(true);
    expect(codes.slice(30)).toEqual([429, 429]);
    const blocked = await t.app.inject({
      method: 'GET',
      url: '/api/v1/queues',
      remoteAddress: '10.1.1.1',
      headers: t.auth,
    });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json().error.code).toBe('RATE_LIMITED');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/queues', remoteAddress: '10.1.1.2', headers: t.auth }))
        .statusCode,
    ).toBe(200);
  });
});

describe('sign-in while Redis is down', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi();
    t.deps.redis.disconnect();
  });
  afterAll(async () => t?.close());

  it('is still limited to 10 attempts a minute per client (counted in the process)', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++)
      codes.push(
        (
          await t.app.inject({
            method: 'POST',
            url: '/login',
            remoteAddress: '10.2.2.2',
            ...form({ token: `guess-${i}` }),
          })
        ).statusCode,
      );
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  });
});

describe('behind a TLS-terminating proxy (MAILDUCT_TRUST_PROXY=true)', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi({ MAILDUCT_TRUST_PROXY: 'true' });
  });
  afterAll(async () => t?.close());

  it('the session cookie is Secure when the proxy says https', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/login',
      ...form({ token: t.token }),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-proto': 'https',
        'x-forwarded-for': '203.0.113.9',
      },
    });
    expect(res.statusCode).toBe(303);
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('sign-ins are counted per forwarded client, not per proxy', async () => {
    const attempt = (client: string, i: number) =>
      t.app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: '127.0.0.1',
        ...form({ token: `guess-${i}` }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': client },
      });
    for (let i = 0; i < 10; i++) expect((await attempt('198.51.100.1', i)).statusCode).toBe(401);
    expect((await attempt('198.51.100.1', 10)).statusCode).toBe(429);
    expect((await attempt('198.51.100.2', 11)).statusCode).toBe(401);
  });
});

describe('UI pages', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi();
  });
  afterAll(async () => t?.close());

  it('send a Content-Security-Policy that forbids framing, and nosniff', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/login' });
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/queues' })).headers['x-content-type-options']).toBe(
      'nosniff',
    );
  });
});
