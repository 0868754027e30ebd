import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { AccountService } from '@mailduct/core/accounts';
import { TokenService } from '@mailduct/core/auth';
import { SecretBox } from '@mailduct/core/crypto';
import { createLogger } from '@mailduct/core/log';
import { MailHostPolicy } from '@mailduct/core/mail';
import { MetricRepository } from '@mailduct/core/metrics';
import { AuthorizationFlow, ProviderService } from '@mailduct/core/oauth2';
import { runCli, spawnCli } from '../../helpers/cli.js';
import { createTestContext, type TestContext } from '../../helpers/context.js';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { startIntrospectionGate, type IntrospectionGate } from '../../helpers/introspection-gate.js';
import { startOAuth2Server, type OAuth2Server } from '../../helpers/oauth2-server.js';
import { testFetchRuntime, type TestFetchRuntime } from '../../helpers/runtime.js';
import { startHousekeeping } from '@mailduct/scheduler';

// The part peers get wrong: refresh tokens that rotate, two fetchers at once, a grant revoked at
// the provider, a provider that is down. A real authorization server rotating refresh tokens on
// every use (oidc-provider), Dovecot checking every access token by introspection.
let as: OAuth2Server;
let dc: Dovecot;
let ctx: TestContext;
let a: TestFetchRuntime;
let b: TestFetchRuntime;
let accounts: AccountService;
let flow: AuthorizationFlow;
let providerId: number;
let introspection: IntrospectionGate;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  as = await startOAuth2Server(['user1', 'user2', 'user3', 'user4', 'user5']);
  introspection = await startIntrospectionGate(as.introspectionUrl);
  dc = await startDovecot({ users: 5, noTls: true, oauth2: { introspectionUrl: introspection.url, ...as.dovecot } });
  ctx = await createTestContext({ MAILDUCT_OAUTH2_ALLOW_HTTP: 'true' });
  // Two fetch runtimes on connections of their own, as two fetcher processes have them.
  a = testFetchRuntime(ctx.config, logger);
  b = testFetchRuntime(ctx.config, logger);
  const secrets = new SecretBox(ctx.config.secretKey);
  accounts = new AccountService({ prisma: a.prisma, secrets, defaults: { pollIntervalSeconds: 600 } });
  const provider = await new ProviderService(a.prisma, secrets, { allowHttp: true }).create(
    as.provider('Rotating'),
    'test',
  );
  providerId = provider.id;
  flow = new AuthorizationFlow({
    prisma: a.prisma,
    redis: a.infra.redis,
    prefix: ctx.prefix,
    tokens: a.infra.accessTokens,
  });
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  await ctx?.drop();
  await dc?.stop();
  await introspection?.close();
  await as?.close();
});

/** An authorized OAuth2 account for a Dovecot user (signed in at the provider as that user). */
async function authorized(user: string, type: 'IMAP' | 'POP3' = 'IMAP'): Promise<number> {
  const view = await accounts.create(
    {
      type,
      host: '127.0.0.1',
      port: type === 'IMAP' ? dc.imapPort : dc.pop3Port,
      username: user,
      auth: { method: 'oauth2', providerId },
    },
    'test',
  );
  const { authorizationUrl } = await flow.begin(view.id, { redirectUri: as.mailduct.redirectUri, binding: 'test' });
  const back = await as.signIn(authorizationUrl, user);
  await flow.complete(back.searchParams, () => true, 'test');
  return view.id;
}

/** Make the stored access token look expired, so the next login refreshes. */
async function expireAccessToken(id: number): Promise<void> {
  await a.prisma.oAuth2Token.update({
    where: { accountId: id },
    data: { accessExpiresAt: new Date(Date.now() - 1000) },
  });
}

const refreshes = () => as.tokenRequests.refresh_token ?? 0;

describe('refresh-token rotation', () => {
  it('refreshes once for two fetchers asking at the same moment, and keeps the newest refresh token', async () => {
    const id = await authorized('user1');
    await dc.seed('user1', 4, 2000, { prefix: 'rotation' });
    const first = (await a.infra.accessTokens.tokens.read(id))!;
    await expireAccessToken(id);
    const before = refreshes();
    const [outcome, ...tokens] = await Promise.all([
      a.service.fetchAccount({ accountId: id, trigger: 'manual' }),
      b.infra.accessTokens.accessToken(id),
      b.infra.accessTokens.accessToken(id),
      a.infra.accessTokens.accessToken(id),
      b.infra.accessTokens.accessToken(id),
    ]);
    expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 4, deleted: 4 } });
    expect(refreshes()).toBe(before + 1);
    expect(new Set(tokens).size).toBe(1);
    const after = (await a.infra.accessTokens.tokens.read(id))!;
    expect(after.accessToken).toBe(tokens[0]);
    expect(after.refreshToken).not.toBe(first.refreshToken);
    expect(after.refreshCount).toBe(1);
    // The stored refresh token is the live one: the old one was used up by the rotation.
    await expireAccessToken(id);
    await dc.seed('user1', 1, 2000, { prefix: 'rotation-2' });
    expect((await b.service.fetchAccount({ accountId: id, trigger: 'manual' })).outcome).toBe('success');
    expect(refreshes()).toBe(before + 2);
  });

  it('refreshes once when a fetcher process and an API process need the token at the same moment', async () => {
    const id = await authorized('user5');
    await dc.seed('user5', 2, 2000, { prefix: 'two-processes' });
    const { token } = await new TokenService(a.prisma, undefined).create('two-processes', 'test');
    const port = 20000 + Math.floor(Math.random() * 20000);
    const apiProcess = spawnCli(['start', '--api'], { ...ctx.env, PORT: String(port), LOG_LEVEL: 'info' });
    let started = '';
    apiProcess.stdout!.on('data', (d: Buffer) => (started += d.toString()));
    try {
      for (let i = 0; i < 200 && !started.includes('mailduct started'); i++)
        await new Promise((r) => setTimeout(r, 100));
      await expireAccessToken(id);
      // A provider answering in 1.5 s: whichever process refreshes first, the other asks meanwhile.
      as.slowTokens(1500);
      const before = refreshes();
      const [fetched, tested] = await Promise.all([
        runCli(['fetch', '--account-id', String(id)], ctx.env),
        fetch(`http://127.0.0.1:${port}/api/v1/mail-accounts/${id}/test`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        }).then((r) => r.json() as Promise<{ ok: boolean }>),
      ]);
      expect(fetched.code, fetched.stderr).toBe(0);
      expect(fetched.stdout).toMatch(/fetched 2/);
      expect(tested).toMatchObject({ ok: true });
      expect(refreshes()).toBe(before + 1);
    } finally {
      as.slowTokens(0);
      apiProcess.kill('SIGTERM');
      await once(apiProcess, 'exit');
    }
    // The stored refresh token is the live one.
    await expireAccessToken(id);
    await a.infra.accessTokens.accessToken(id);
    expect(dc.count('user5')).toBe(0);
  }, 60_000);

  it('renews a token the server refuses in the middle of a run once, and the run goes on', async () => {
    const id = await authorized('user2', 'POP3');
    // Three batches of at most 100: POP3 commits (QUIT) after the second and goes on in a new session.
    await dc.seed('user2', 250, 2000, { prefix: 'mid-run' });
    let revoked = false;
    const fetcher = testFetchRuntime(ctx.config, logger, {
      settings: {
        maxMessageBytes: 1 << 20,
        fetchLimit: 1000,
        commitEvery: 1,
        hostPolicy: new MailHostPolicy(['127.0.0.0/8']),
      },
      hooks: {
        // After the first batch is stored, the mail server stops taking the token (Exchange does so
        // after a password change, long before the token's stated expiry); POP3's next session,
        // opened when the first commits, must log in again.
        afterStore: async () => {
          if (revoked) return;
          revoked = true;
          introspection.deny((await fetcher.infra.accessTokens.tokens.read(id))!.accessToken!);
        },
      },
    });
    try {
      const before = refreshes();
      const logins: string[] = [];
      const outcome = await fetcher.service.fetchAccount(
        { accountId: id, trigger: 'manual' },
        { trace: (d, line) => (d === 'C' && line.startsWith('AUTH ') ? logins.push(line) : undefined) },
      );
      expect(outcome.error).toBeNull();
      expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 250, deleted: 250 } });
      expect(revoked).toBe(true);
      // The first session, the second one refused, the second one again with the new token.
      expect(logins).toEqual(['AUTH OAUTHBEARER', 'AUTH OAUTHBEARER', 'AUTH OAUTHBEARER']);
      expect(refreshes()).toBe(before + 1);
      expect(dc.count('user2')).toBe(0);
    } finally {
      await fetcher.close();
    }
  });
});

describe('a grant the provider revoked', () => {
  it('ends the run with OAUTH2_REAUTHORIZATION_REQUIRED, parks the account, deletes nothing, and asks nobody again', async () => {
    const id = await authorized('user3');
    await dc.seed('user3', 3, 2000, { prefix: 'revoked' });
    await as.withdrawConsent('user3');
    await expireAccessToken(id);
    const outcome = await a.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(outcome.outcome).toBe('failed');
    expect(outcome.error).toMatchObject({ class: 'auth', code: 'OAUTH2_REAUTHORIZATION_REQUIRED' });
    expect(outcome.parked).toBe(true);
    expect(dc.count('user3')).toBe(3);
    const view = await accounts.get(id);
    expect(view.validity).toBe('invalid-temporarily');
    expect(view.state.parkedReason).toMatch(/authorize the account again/);
    expect(view.auth).toMatchObject({ state: 'reauthorization_required' });
    const row = await a.prisma.oAuth2Token.findUniqueOrThrow({ where: { accountId: id } });
    expect(row).toMatchObject({ refreshTokenEnc: null, accessTokenEnc: null });
    expect(await a.prisma.auditEvent.count({ where: { entityId: String(id), action: 'oauth2-refresh-refused' } })).toBe(
      1,
    );
    const metrics = async () => (await new MetricRepository(a.infra.pool).read()).accounts.find((r) => r.id === id);
    expect((await metrics())?.oauth2).toMatchObject({ authorizationRequired: true });

    // A manual run now fails at once, without a request to the provider.
    const before = refreshes();
    const again = await b.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(again.error?.code).toBe('OAUTH2_REAUTHORIZATION_REQUIRED');
    expect(refreshes()).toBe(before);

    // Authorized again: the account is valid and fetched.
    const { authorizationUrl } = await flow.begin(id, { redirectUri: as.mailduct.redirectUri, binding: 'test' });
    await flow.complete((await as.signIn(authorizationUrl, 'user3')).searchParams, () => true, 'test');
    expect((await metrics())?.oauth2).toMatchObject({ authorizationRequired: false });
    const resumed = await accounts.get(id);
    expect(resumed).toMatchObject({ validity: 'valid', auth: { state: 'ready' }, state: { parkedReason: null } });
    expect(await a.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({
      outcome: 'success',
      counts: { fetched: 3, deleted: 3 },
    });
  });
});

describe('housekeeping', () => {
  it('drops access tokens past their expiry, keeping the refresh token', async () => {
    const id = await authorized('user4', 'POP3');
    await expireAccessToken(id);
    const housekeeping = startHousekeeping(a.infra, logger, { everyMs: 3_600_000 });
    try {
      expect((await housekeeping.runOnce()).expiredTokens).toBeGreaterThanOrEqual(1);
    } finally {
      await housekeeping.close();
    }
    const row = await a.prisma.oAuth2Token.findUniqueOrThrow({ where: { accountId: id } });
    expect(row.accessTokenEnc).toBeNull();
    expect(row.refreshTokenEnc).not.toBeNull();
    expect(await a.infra.accessTokens.accessToken(id)).toMatch(/\S{20,}/);
  });
});

describe('a provider that cannot be reached', () => {
  it('fails the run as a network problem with backoff, not as a re-authorization', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const provider = await new ProviderService(a.prisma, new SecretBox(ctx.config.secretKey), {
      allowHttp: true,
    }).create(
      {
        name: 'Down',
        kind: 'generic',
        endpoints: { token: `http://127.0.0.1:${port}/token` },
        clientId: 'c',
        clientSecret: 's',
        grant: 'client_credentials',
      },
      'test',
    );
    const view = await accounts.create(
      {
        type: 'IMAP',
        host: '127.0.0.1',
        port: dc.imapPort,
        username: 'user4',
        auth: { method: 'oauth2', providerId: provider.id },
      },
      'test',
    );
    const outcome = await a.service.fetchAccount({ accountId: view.id, trigger: 'manual' });
    expect(outcome.error).toMatchObject({ class: 'network', code: 'OAUTH2_PROVIDER_UNREACHABLE' });
    expect(outcome.error!.message).toMatch(/^OAuth2 provider "Down" cannot be reached \(client credentials\)/);
    const after = await accounts.get(view.id);
    expect(after.validity).toBe('valid');
    expect(after.state.backoffUntil).not.toBeNull();
    expect(after.auth).toMatchObject({ state: 'ready' });
  });
});
