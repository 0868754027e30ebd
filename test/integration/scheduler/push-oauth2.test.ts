import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '@mailduct/core/crypto';
import { createLogger } from '@mailduct/core/log';
import { AuthorizationFlow, ProviderService } from '@mailduct/core/oauth2';
import { WatchLeases } from '@mailduct/core/push';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { startIntrospectionGate, type IntrospectionGate } from '../../helpers/introspection-gate.js';
import { startOAuth2Server, type OAuth2Server } from '../../helpers/oauth2-server.js';
import { waitFor } from '../../helpers/processes.js';
import { startTestFetcher, type TestFetcher } from '../../helpers/runtime.js';

// A pushed OAuth2 account: an IDLE session outlives its access token (Microsoft 365 ends such
// sessions), so the watcher signs in again with a refreshed token before the old one expires.
// A real authorization server issuing 75-second tokens; Dovecot checks each login's token.
let as: OAuth2Server;
let gate: IntrospectionGate;
let dc: Dovecot;
let w: FetchWorld;
let fetcher: TestFetcher;
const TOKEN_TTL_S = 75;

beforeAll(async () => {
  as = await startOAuth2Server(['user1'], { accessTokenTtl: TOKEN_TTL_S });
  gate = await startIntrospectionGate(as.introspectionUrl);
  dc = await startDovecot({ users: 1, noTls: true, oauth2: { introspectionUrl: gate.url, ...as.dovecot } });
  w = await createFetchWorld(dc, {}, { MAILDUCT_OAUTH2_ALLOW_HTTP: 'true' });
}, 60_000);
afterAll(async () => {
  await fetcher?.close().catch(() => undefined);
  await w?.close();
  await dc?.stop();
  await gate?.close();
  await as?.close();
});

describe('push with OAuth2', () => {
  it(
    'signs in again with a fresh token before the old one expires, and keeps pushing',
    { timeout: 150_000 },
    async () => {
      const prisma = w.runtime.prisma;
      const secrets = new SecretBox(w.ctx.config.secretKey);
      const provider = await new ProviderService(prisma, secrets, { allowHttp: true }).create(
        as.provider('IdP'),
        'test',
      );
      const flow = new AuthorizationFlow({
        prisma,
        redis: w.runtime.infra.redis,
        prefix: w.ctx.prefix,
        tokens: w.runtime.infra.accessTokens,
      });
      const { id } = await w.accounts.create(
        {
          type: 'IMAP',
          host: '127.0.0.1',
          port: dc.imapPort,
          username: 'user1',
          auth: { method: 'oauth2', providerId: provider.id },
        },
        'test',
      );
      const { authorizationUrl } = await flow.begin(id, { redirectUri: as.mailduct.redirectUri, binding: 'test' });
      await flow.complete((await as.signIn(authorizationUrl, 'user1')).searchParams, () => true, 'test');
      await w.accounts.update(id, { push: true }, 'test');

      const leases = new WatchLeases(w.runtime.redis, w.ctx.prefix, 0);
      fetcher = await startTestFetcher(w.ctx.config, createLogger({ level: 'silent' }));
      await waitFor('the watch', async () => (await leases.read(id))?.state === 'watching', 15_000);
      // The watch's first notice fetches once (a login of its own): count logins after it.
      await waitFor(
        'the first run to finish',
        async () => (await prisma.fetchRun.count({ where: { accountId: id, finishedAt: { not: null } } })) >= 1,
        10_000,
      );
      const first = (await w.runtime.infra.accessTokens.tokens.read(id))!;
      const loginsBefore = gate.checks;
      const refreshesBefore = as.tokenRequests.refresh_token ?? 0;

      // Before the first token's end: a refresh, and a new login with its token.
      await waitFor('a new login', async () => gate.checks > loginsBefore, TOKEN_TTL_S * 1000);
      expect(Date.now()).toBeLessThan(first.accessExpiresAt!.getTime());
      expect(as.tokenRequests.refresh_token ?? 0).toBeGreaterThan(refreshesBefore);
      const next = (await w.runtime.infra.accessTokens.tokens.read(id))!;
      expect(next.accessToken).not.toBe(first.accessToken);
      await waitFor('the watch again', async () => (await leases.read(id))?.state === 'watching', 10_000);

      // Past the first token's end: new mail is still pushed.
      const wait = first.accessExpiresAt!.getTime() - Date.now() + 1000;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await dc.seed('user1', 1, 1200, { prefix: 'after-expiry' });
      await waitFor('the ticket job', async () => (await w.tickets()).some((t) => t.data.accountId === id), 5_000);
    },
  );
});
