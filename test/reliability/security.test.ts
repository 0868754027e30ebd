import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { createRedis, type RedisClient } from '@mailduct/core/redis';
import { createTestApi, type TestApi } from '../helpers/api.js';
import { dumpDatabase } from '../helpers/database-dump.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { testFetchRuntime, type TestFetchRuntime } from '../helpers/runtime.js';
import { dumpRedis } from '../helpers/redis-dump.js';

const SECRET_GOOD = 'Good-Pass-7c1f';
const SECRET_WRONG = 'Wrong-Pass-93ab';

let t: TestApi;
let dc: Dovecot;
let fetcher: TestFetchRuntime;
let redis: RedisClient;
const fetcherLogs: string[] = [];

beforeAll(async () => {
  [t, dc] = await Promise.all([
    createTestApi({ MAILDUCT_METRICS_TOKEN: 'metrics-token-0123456789' }),
    startDovecot({ users: 3, password: SECRET_GOOD }),
  ]);
  const sink = new Writable({ write: (c: Buffer, _e, done) => (fetcherLogs.push(c.toString()), done()) });
  fetcher = testFetchRuntime(t.ctx.config, createLogger({ level: 'trace' }, sink));
  redis = createRedis(t.ctx.config.redisUrl);
}, 60_000);
afterAll(async () => {
  redis?.disconnect();
  await fetcher?.close();
  await t?.close();
  await dc?.stop();
});

const everythingInRedis = () => dumpRedis(redis, t.ctx.prefix);

describe('secrets', () => {
  it('no mail password in PostgreSQL, Redis, logs, API responses or errors, after fetches, failures and the UI', async () => {
    const responses: string[] = [];
    const api = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
      const res = await t.app.inject({ method, url, headers: t.auth, payload });
      responses.push(res.body);
      return res;
    };
    await dc.seed(dc.users[0]!, 5, 1500);
    const good = (
      await api('POST', '/api/v1/mail-accounts', {
        type: 'IMAP',
        host: '127.0.0.1',
        port: dc.imapPort,
        username: dc.users[0],
        password: SECRET_GOOD,
      })
    ).json().id;
    const bad = (
      await api('POST', '/api/v1/mail-accounts', {
        type: 'POP3',
        host: '127.0.0.1',
        port: dc.pop3Port,
        username: dc.users[1],
        password: SECRET_WRONG,
      })
    ).json().id;
    await fetcher.service.fetchAccount(
      { accountId: good, trigger: 'manual' },
      { trace: (d, line) => fetcherLogs.push(`${d} ${line}`) },
    );
    await fetcher.service.fetchAccount(
      { accountId: bad, trigger: 'manual' },
      { trace: (d, line) => fetcherLogs.push(`${d} ${line}`) },
    );
    await api('POST', `/api/v1/mail-accounts/${bad}/test`);
    await api('POST', '/api/v1/mail-accounts/test', {
      type: 'IMAP',
      host: '127.0.0.1',
      port: dc.imapPort,
      username: dc.users[1],
      password: SECRET_WRONG,
    });
    await api('POST', `/api/v1/mail-accounts/${good}/dry-run`);
    await api('GET', `/api/v1/mail-accounts/${bad}`);
    await api('GET', `/api/v1/mail-accounts/${bad}/runs`);
    await api('PATCH', `/api/v1/mail-accounts/${bad}`, { password: SECRET_WRONG, port: 'x' });
    await api('POST', `/api/v1/mail-accounts/${good}/fetch`, {});
    responses.push(
      (await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } })).body,
    );
    expect(fetcherLogs.join('\n')).toContain('PASS ********'); // the trace ran
    const places = {
      responses: responses.join('\n'),
      'API logs': t.logs.join('\n'),
      'fetcher logs': fetcherLogs.join('\n'),
      PostgreSQL: await dumpDatabase(t.ctx.databaseUrl),
      Redis: await everythingInRedis(),
    };
    for (const [where, text] of Object.entries(places)) {
      expect(text.length, where).toBeGreaterThan(0);
      expect(text.includes(SECRET_GOOD), `${where} holds the good password`).toBe(false);
      expect(text.includes(SECRET_WRONG), `${where} holds the wrong password`).toBe(false);
    }
    expect(places.PostgreSQL).toContain('"host":"127.0.0.1"');
    expect(places.Redis).toContain('ticket.dispatched');
  });
});

describe('authentication everywhere', () => {
  it('every API operation, the UI, Bull Board and /metrics refuse anonymous requests', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes: [string, string][] = [];
    for (const [path, methods] of Object.entries(doc.paths))
      for (const method of Object.keys(methods)) routes.push([method.toUpperCase(), path.replace(/\{[^}]+\}/g, '1')]);
    const api = routes.filter(([, p]) => p.startsWith('/api/'));
    expect(api.length).toBeGreaterThanOrEqual(20);
    for (const [method, url] of api) {
      const res = await t.app.inject({
        method: method as 'GET',
        url,
        payload: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
    for (const url of [
      '/',
      '/accounts',
      '/accounts/new',
      '/accounts/1',
      '/queues',
      '/system-addresses',
      '/messages',
      '/admin/queues/',
      '/admin/queues/api/queues',
    ]) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location, url).toMatch(/^\/login\?next=/);
    }
    for (const [method, url] of [
      ['POST', '/accounts'],
      ['POST', '/accounts/1/delete'],
      ['POST', '/queues'],
      ['POST', '/messages/1/reprocess'],
      ['POST', '/logout'],
    ] as const) {
      expect(
        (
          await t.app.inject({
            method,
            url,
            payload: 'a=b',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          })
        ).statusCode,
        url,
      ).toBe(303);
    }
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    // Only these answer without a token.
    for (const url of ['/health/live', '/health/ready', '/docs/json', '/login', '/ui/app.js'])
      expect((await t.app.inject({ url })).statusCode, url).toBeLessThan(400);
  });

  it('stores API tokens only as hashes', async () => {
    expect(await dumpDatabase(t.ctx.databaseUrl)).not.toContain(t.token);
  });
});

describe('TLS', () => {
  let proxy: TcpProxy;
  afterAll(async () => proxy?.close());

  it('verifies certificates by default: a certificate for another host is refused even from a trusted CA', async () => {
    // The test certificate is issued to localhost/127.0.0.1 and its CA is trusted here; 127.0.0.2 does not match it.
    proxy = await startTcpProxy(dc.imapsPort, '127.0.0.1', '127.0.0.2');
    const withCa = testFetchRuntime({ ...t.ctx.config, extraCa: dc.ca }, createLogger({ level: 'silent' }));
    try {
      const wrongHost = await t.deps.services.accounts.create(
        { type: 'IMAPS', host: '127.0.0.2', port: proxy.port, username: dc.users[2]!, password: SECRET_GOOD },
        'test',
      );
      expect(wrongHost.tlsVerify).toBe(true);
      const outcome = await withCa.service.fetchAccount({ accountId: wrongHost.id, trigger: 'manual' });
      expect(outcome).toMatchObject({ outcome: 'failed', error: { class: 'tls', code: 'MAIL_TLS_FAILED' } });
      expect(outcome.error!.message).toMatch(/IP: 127\.0\.0\.2 is not in the cert's list|altname|does not match/i);
      const rightHost = await t.deps.services.accounts.create(
        { type: 'IMAPS', host: '127.0.0.1', port: dc.imapsPort, username: dc.users[2]!, password: SECRET_GOOD },
        'test',
      );
      expect((await withCa.service.fetchAccount({ accountId: rightHost.id, trigger: 'manual' })).outcome).toBe(
        'success',
      );
    } finally {
      await withCa.close();
    }
  });
});
