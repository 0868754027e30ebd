import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { createTestApi, signIn, type TestApi } from '../helpers/api.js';
import { dumpDatabase } from '../helpers/database-dump.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { startOAuth2Server, type OAuth2Server } from '../helpers/oauth2-server.js';
import { dumpRedis } from '../helpers/redis-dump.js';
import { startTestFetcher, testFetchRuntime, type TestFetcher } from '../helpers/runtime.js';

// No refresh token, access token or client secret anywhere it could be read: PostgreSQL in plain
// text, Redis (BullMQ's job data included), logs at trace level, API and UI responses, Bull Board.
let as: OAuth2Server;
let dc: Dovecot;
let t: TestApi;
let fetcher: TestFetcher;
const logs: string[] = [];
const sink = new Writable({ write: (c: Buffer, _e, done) => (logs.push(c.toString()), done()) });

beforeAll(async () => {
  as = await startOAuth2Server(['user1']);
  dc = await startDovecot({ users: 1, noTls: true, oauth2: { introspectionUrl: as.introspectionUrl, ...as.dovecot } });
  t = await createTestApi({
    MAILDUCT_OAUTH2_ALLOW_HTTP: 'true',
    MAILDUCT_PUBLIC_URL: 'http://mailduct.test',
    LOG_LEVEL: 'trace',
  });
  fetcher = await startTestFetcher(t.ctx.config, createLogger({ level: 'trace' }, sink));
}, 60_000);
afterAll(async () => {
  await fetcher?.close();
  await t?.close();
  await dc?.stop();
  await as?.close();
});

describe('OAuth2 secrets', () => {
  it('are never readable, after sign-in, fetches, a refresh, fetch-now, the UI and Bull Board', async () => {
    const ui = await signIn(t);
    const responses: string[] = [];
    const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
      const res = await t.app.inject({ method, url, headers: { cookie: ui.cookie, 'x-csrf-token': ui.csrf }, payload });
      responses.push(res.body, JSON.stringify(res.headers));
      return res;
    };
    const provider = await call('POST', '/api/v1/oauth2-providers', as.provider('Secret test'));
    const account = await call('POST', '/api/v1/mail-accounts', {
      type: 'IMAP',
      host: '127.0.0.1',
      port: dc.imapPort,
      username: 'user1',
      auth: { method: 'oauth2', providerId: provider.json().id },
    });
    const id = account.json().id as number;
    const started = await call('POST', `/api/v1/mail-accounts/${id}/oauth2/authorize`);
    const back = await as.signIn(started.json().authorizationUrl, 'user1');
    await call('GET', `${back.pathname}${back.search}`);
    const tokens = async () => (await t.deps.tokens.tokens.read(id))!;
    const first = await tokens();

    // A fetch through the worker (fetch now), then a refresh and a fetch in another runtime.
    await dc.seed('user1', 2, 1500, { prefix: 'secrets' });
    const job = (await call('POST', `/api/v1/mail-accounts/${id}/fetch`)).json().jobId as string;
    for (let i = 0; i < 100; i++) {
      if ((await call('GET', `/api/v1/fetch-jobs/${job}`)).json().state === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await t.deps.prisma.oAuth2Token.update({ where: { accountId: id }, data: { accessExpiresAt: new Date(0) } });
    const other = testFetchRuntime(t.ctx.config, createLogger({ level: 'trace' }, sink));
    try {
      await dc.seed('user1', 1, 1500, { prefix: 'secrets-2' });
      expect((await other.service.fetchAccount({ accountId: id, trigger: 'manual' })).outcome).toBe('success');
    } finally {
      await other.close();
    }
    const second = await tokens();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(dc.count('user1')).toBe(0);

    for (const url of [
      `/api/v1/mail-accounts/${id}`,
      `/api/v1/mail-accounts/${id}/oauth2`,
      '/api/v1/mail-accounts',
      '/api/v1/oauth2-providers',
      `/api/v1/mail-accounts/${id}/runs`,
      `/accounts/${id}`,
      '/oauth2-providers',
      `/oauth2-providers/${provider.json().id}`,
      '/admin/queues/api/queues?activeQueue=fetch&status=completed&page=1',
    ])
      expect((await call('GET', url)).statusCode, url).toBeLessThan(400);

    const secrets = [
      first.accessToken!,
      first.refreshToken!,
      second.accessToken!,
      second.refreshToken!,
      as.mailduct.clientSecret,
    ];
    const places = {
      postgres: await dumpDatabase(t.ctx.databaseUrl),
      redis: await dumpRedis(t.deps.redis, t.ctx.prefix),
      logs: [...logs, ...t.logs].join(''),
      responses: responses.join('\n'),
    };
    // Each place holds what it should (the scan reads real data): sealed tokens, job data, log lines.
    expect(places.postgres).toMatch(/"refresh_token_enc":"v1\./);
    expect(places.redis).toMatch(new RegExp(`accountId\\\\?":${id}\\b`));
    expect(places.logs.length).toBeGreaterThan(1000);
    expect(places.responses).toContain('"state":"ready"');
    for (const [where, text] of Object.entries(places))
      for (const secret of secrets) expect(text.includes(secret), `${where} holds a secret`).toBe(false);
  });
});
