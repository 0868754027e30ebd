import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { testFetchRuntime } from '../../helpers/runtime.js';

// Test connection is no port scanner: internal addresses are refused unless the operator allows
// them, checked on the resolved address; what a non-mail server says is echoed only as a short,
// sanitised excerpt.
let banner: net.Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  banner = net.createServer((s) => {
    connections++;
    s.end(`SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3 ${'x'.repeat(300)} secret-internal-detail\r\n`);
  });
  await new Promise<void>((r) => banner.listen(0, '127.0.0.1', r));
  port = (banner.address() as net.AddressInfo).port;
});
afterAll(async () => new Promise<void>((r) => banner.close(() => r())));

const probe = (t: TestApi, host: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/mail-accounts/test',
    headers: t.auth,
    payload: { type: 'POP3', host, port, username: 'u', password: 'p' },
  });

describe('default policy: no internal addresses', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi({ MAILDUCT_ALLOWED_MAIL_HOSTS: '' });
  });
  afterAll(async () => t?.close());

  it.each([['127.0.0.1'], ['localhost'], ['::1'], ['169.254.169.254'], ['10.0.0.1']])(
    '%s is refused before any connection',
    async (host) => {
      const before = connections;
      const res = await probe(t, host);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ ok: false, error: { class: 'config', code: 'MAIL_HOST_DENIED' } });
      expect(res.json().error.message).toMatch(/MAILDUCT_ALLOWED_MAIL_HOSTS/);
      expect(connections).toBe(before);
    },
  );

  it('a fetch run of an account on an internal address fails as config', async () => {
    const account = await t.deps.services.accounts.create(
      { type: 'POP3', host: '127.0.0.1', port, username: 'u', password: 'p' },
      'test',
    );
    const { createLogger } = await import('@mailduct/core/log');
    const runtime = testFetchRuntime(t.ctx.config, createLogger({ level: 'silent' }));
    try {
      const before = connections;
      const outcome = await runtime.service.fetchAccount({ accountId: account.id, trigger: 'manual' });
      expect(outcome).toMatchObject({ outcome: 'failed', error: { class: 'config', code: 'MAIL_HOST_DENIED' } });
      expect(connections).toBe(before);
    } finally {
      await runtime.close();
    }
  });
});

describe('allowed by the operator', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await createTestApi({ MAILDUCT_ALLOWED_MAIL_HOSTS: '127.0.0.1' });
  });
  afterAll(async () => t?.close());

  it('connects, and a banner of another service comes back as a short excerpt', async () => {
    const before = connections;
    const res = await probe(t, '127.0.0.1');
    expect(connections).toBe(before + 1);
    const error = res.json().error as { class: string; message: string };
    expect(error.class).toBe('protocol');
    expect(error.message.length).toBeLessThanOrEqual(200);
    expect(error.message).not.toContain('secret-internal-detail');
  });
});

describe('bad settings', () => {
  it('stop the start with the variable named', async () => {
    const { loadConfig } = await import('@mailduct/core/config');
    expect(() =>
      loadConfig({ MAILDUCT_SECRET_KEY: Buffer.alloc(32).toString('base64'), MAILDUCT_ALLOWED_MAIL_HOSTS: 'http://x' }),
    ).toThrow(/MAILDUCT_ALLOWED_MAIL_HOSTS/);
  });
});
