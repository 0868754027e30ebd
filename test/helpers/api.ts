import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '@mailduct/api';
import { createLogger } from '@mailduct/core/log';
import { createTestContext, type TestContext } from './context.js';
import { testApiDeps, type TestApiDeps } from './runtime.js';

/** A built API app on its own database, with every log line captured. */
export interface TestApi {
  app: FastifyInstance;
  ctx: TestContext;
  deps: TestApiDeps;
  logs: string[];
  token: string;
  auth: { authorization: string };
  close(): Promise<void>;
}

/** Build the API against a fresh database; `token` is a real API token created through the service. */
export async function createTestApi(overrides: NodeJS.ProcessEnv = {}): Promise<TestApi> {
  const ctx = await createTestContext({ LOG_LEVEL: 'debug', ...overrides });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: ctx.config.logLevel, name: 'test-api' }, sink);
  const deps = testApiDeps(ctx.config, logger);
  const app = await buildApp(deps);
  const { token } = await deps.services.tokens.create('test-admin');
  return {
    app,
    ctx,
    deps,
    logs,
    token,
    auth: { authorization: `Bearer ${token}` },
    async close() {
      await app.close();
      await deps.close();
      await ctx.drop();
    },
  };
}

/** Sign in to the admin UI with the test's token: the session cookie and the page's CSRF token. */
export async function signIn(t: TestApi): Promise<{ cookie: string; csrf: string }> {
  const login = await t.app.inject({
    method: 'POST',
    url: '/login',
    payload: `token=${encodeURIComponent(t.token)}&next=%2Faccounts`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (login.statusCode !== 303) throw new Error(`sign-in answered ${login.statusCode}`);
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const page = await t.app.inject({ method: 'GET', url: '/accounts', headers: { cookie } });
  return { cookie, csrf: /name="csrf-token" content="([^"]+)"/.exec(page.body)![1]! };
}
