import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '@mailduct/api';
import { loadConfig } from '@mailduct/core/config';
import { createLogger } from '@mailduct/core/log';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { testApiDeps } from '../../helpers/runtime.js';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(async () => t?.close());

describe('health', () => {
  it('is live and ready when PostgreSQL and Redis answer', async () => {
    expect((await t.app.inject({ url: '/health/live' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('is not ready, naming what is down, when Redis and PostgreSQL are unreachable', async () => {
    const config = loadConfig({
      ...t.ctx.env,
      REDIS_URL: 'redis://127.0.0.1:1',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/x',
    });
    const deps = testApiDeps(config, createLogger({ level: 'silent' }));
    const app = await buildApp(deps);
    try {
      const res = await app.inject({ url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().status).toBe('unavailable');
      expect(res.json().checks.redis).toMatch(/^down: /);
      expect(res.json().checks.postgres).toMatch(/^down: /);
    } finally {
      await app.close();
      await deps.close();
    }
  });
});

describe('OpenAPI', () => {
  it('describes every resource at /docs/json and serves the UI at /docs', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/v1/mail-accounts/',
      '/api/v1/mail-accounts/{id}',
      '/api/v1/queues/',
      '/api/v1/system-addresses/{id}',
      '/health/ready',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const create = doc.paths['/api/v1/mail-accounts/'].post.requestBody.content['application/json'].schema;
    // The password is required unless `auth` is OAuth2 (checked by the rules, named when missing).
    expect(create.required).toEqual(expect.arrayContaining(['type', 'host', 'username']));
    expect(Object.keys(create.properties)).toEqual(expect.arrayContaining(['password', 'auth']));
    const view = doc.paths['/api/v1/mail-accounts/{id}'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(view.properties)).not.toContain('password');
    const ui = await t.app.inject({ url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });
});

describe('over a real socket', () => {
  it('serves the API over HTTP', async () => {
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const unauthorized = await fetch(`${address}/api/v1/mail-accounts`);
    expect(unauthorized.status).toBe(401);
    const created = await fetch(`${address}/api/v1/mail-accounts`, {
      method: 'POST',
      headers: { ...t.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'POP3TLS', host: 'pop.example.com', username: 'socket', password: 'pw' }),
    });
    expect(created.status).toBe(201);
    const listed = await fetch(`${address}/api/v1/mail-accounts?q=socket`, { headers: t.auth });
    const body = (await listed.json()) as { total: number; items: { username: string }[] };
    expect(body.total).toBe(1);
    expect(body.items[0]!.username).toBe('socket');
    const broken = await fetch(`${address}/api/v1/queues`, {
      method: 'POST',
      headers: { ...t.auth, 'content-type': 'application/json' },
      body: '{oops',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: 'MALFORMED_REQUEST' } });
  });
});
