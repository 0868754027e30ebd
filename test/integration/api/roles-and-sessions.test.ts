import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

// Roles (admin, read-only), sessions that end with their token, and a read-only Bull Board.
let t: TestApi;
let readOnlyToken: string;

beforeAll(async () => {
  t = await createTestApi();
  readOnlyToken = (await t.deps.services.tokens.create('viewer', 'test', 'read-only')).token;
});
afterAll(async () => t?.close());

async function signIn(token: string): Promise<{ cookie: string; csrf: string }> {
  const login = await t.app.inject({
    method: 'POST',
    url: '/login',
    payload: `token=${encodeURIComponent(token)}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(login.statusCode).toBe(303);
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(
    (await t.app.inject({ method: 'GET', url: '/accounts', headers: { cookie } })).body,
  )![1]!;
  return { cookie, csrf };
}

type Operation = { method: string; url: string };

async function operations(): Promise<Operation[]> {
  const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/api/v1/'))
    .flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => ({ method: m.toUpperCase(), url: path.replace(/\{[^}]+\}/g, '1') })),
    );
}

describe('a read-only token', () => {
  it('may call every GET of the API and nothing else (403, the database unchanged)', async () => {
    const account = await t.deps.services.accounts.create(
      { type: 'IMAP', host: 'ro.example', username: 'u', password: 'p' },
      'test',
    );
    const auth = { authorization: `Bearer ${readOnlyToken}` };
    const ops = await operations();
    expect(ops.filter((o) => o.method !== 'GET').length).toBeGreaterThan(10);
    const audit = await t.deps.prisma.auditEvent.count();
    for (const op of ops) {
      const res = await t.app.inject({
        method: op.method as 'GET',
        url: op.url.replace('/1', `/${account.id}`),
        headers: auth,
        ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { payload: {} }),
      });
      if (op.method === 'GET') expect(res.statusCode, `${op.method} ${op.url}`).not.toBe(403);
      else {
        expect(res.statusCode, `${op.method} ${op.url}`).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
    }
    expect(await t.deps.prisma.mailAccount.count()).toBe(1);
    expect(await t.deps.prisma.auditEvent.count()).toBe(audit);
    expect(await t.deps.queues.fetch.count()).toBe(0);
  });

  it('signs in to the UI, reads its screens, cannot post its forms, and signs out', async () => {
    const { cookie, csrf } = await signIn(readOnlyToken);
    expect((await t.app.inject({ method: 'GET', url: '/queues', headers: { cookie } })).statusCode).toBe(200);
    const post = await t.app.inject({
      method: 'POST',
      url: '/queues',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${csrf}&name=Forbidden`,
    });
    expect(post.statusCode).toBe(403);
    expect(await t.deps.prisma.queue.count({ where: { name: 'Forbidden' } })).toBe(0);
    const out = await t.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${csrf}`,
    });
    expect(out.statusCode).toBe(303);
  });
});

describe('UI sessions', () => {
  it('end when their token is revoked', async () => {
    const { token } = await t.deps.services.tokens.create('short-lived', 'test');
    const { cookie } = await signIn(token);
    expect((await t.app.inject({ method: 'GET', url: '/accounts', headers: { cookie } })).statusCode).toBe(200);
    expect(await t.deps.services.tokens.revoke('short-lived', 'test')).toBe(true);
    const after = await t.app.inject({ method: 'GET', url: '/accounts', headers: { cookie } });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/queues', headers: { cookie } })).statusCode).toBe(401);
  });
});

describe('Bull Board', () => {
  const forged = { name: 'ticket.dispatched', data: { schemaVersion: 1, messageId: 999 } };

  it('is read-only at /admin/queues, for admins too: no forged ticket job', async () => {
    const { cookie } = await signIn(t.token);
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/queues/api/queues/tickets/add',
      headers: { cookie },
      payload: forged,
    });
    expect(res.statusCode).toBe(405);
    expect(await t.deps.queues.tickets.count()).toBe(0);
    expect(
      (await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { cookie } })).statusCode,
    ).toBe(200);
  });

  it('changes jobs at /admin/queues-manage only for admins, audited', async () => {
    const viewer = await signIn(readOnlyToken);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/admin/queues-manage/api/queues',
          headers: { cookie: viewer.cookie },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/admin/queues-manage/api/queues/tickets/add',
          headers: { cookie: viewer.cookie },
          payload: forged,
        })
      ).statusCode,
    ).toBe(403);
    expect(await t.deps.queues.tickets.count()).toBe(0);
    const admin = await signIn(t.token);
    const res = await t.app.inject({
      method: 'PUT',
      url: '/admin/queues-manage/api/queues/tickets/pause',
      headers: { cookie: admin.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(await t.deps.queues.tickets.isPaused()).toBe(true);
    await t.deps.queues.tickets.resume();
    const audit = await t.deps.prisma.auditEvent.findMany({ where: { action: 'queue-job' } });
    expect(audit).toEqual([
      expect.objectContaining({ actor: 'test-admin', entity: 'job', entityId: '/api/queues/tickets/pause' }),
    ]);
  });
});
