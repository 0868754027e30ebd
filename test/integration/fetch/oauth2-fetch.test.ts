import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountType } from '@mailduct/core/accounts';
import { SecretBox } from '@mailduct/core/crypto';
import { ProviderService } from '@mailduct/core/oauth2';
import { dumpDatabase } from '../../helpers/database-dump.js';
import { dumpRedis } from '../../helpers/redis-dump.js';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { startOAuth2Server, type OAuth2Server } from '../../helpers/oauth2-server.js';

// OAuth2 mailboxes end to end: a real authorization server (oidc-provider) issues app-only tokens
// (client credentials), Dovecot checks each one by introspection, mailduct fetches with XOAUTH2 /
// OAUTHBEARER on all six types.
let as: OAuth2Server;
let dc: Dovecot;
let w: FetchWorld;
let providers: ProviderService;

beforeAll(async () => {
  const users = Array.from({ length: 10 }, (_, i) => `user${i + 1}`);
  as = await startOAuth2Server(users);
  dc = await startDovecot({
    users: users.length,
    oauth2: { introspectionUrl: as.introspectionUrl, ...as.dovecot, scope: 'mail' },
  });
  w = await createFetchWorld(dc, {}, { MAILDUCT_OAUTH2_ALLOW_HTTP: 'true' });
  providers = new ProviderService(w.runtime.prisma, new SecretBox(w.ctx.config.secretKey), { allowHttp: true });
}, 60_000);
afterAll(async () => {
  await w?.close();
  await dc?.stop();
  await as?.close();
});

/** An app-only provider for one mailbox (the test server's client credentials are per mailbox). */
async function appOnly(user: string, secret = as.appClient(user).clientSecret) {
  const p = await providers.create(
    {
      name: `app ${user} ${Math.random()}`,
      kind: 'generic',
      issuerUrl: as.issuer,
      clientId: as.appClient(user).clientId,
      clientSecret: secret,
      scopes: 'mail',
      grant: 'client_credentials',
    },
    'test',
  );
  return p.id;
}

async function oauthAccount(type: AccountType, user: string, providerId: number) {
  return w.account(type, user, { password: undefined, auth: { method: 'oauth2', providerId } });
}

const TYPES: AccountType[] = ['IMAP', 'IMAPS', 'IMAPTLS', 'POP3', 'POP3S', 'POP3TLS'];

describe.each(TYPES.map((t, i) => [t, i] as const))('%s with an OAuth2 token', (type, i) => {
  it('fetches, stores and deletes every message, with no password at all', async () => {
    const user = dc.users[i]!;
    await dc.seed(user, 5, 3000, { prefix: `oauth-${type}` });
    const id = await oauthAccount(type, user, await appOnly(user));
    const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 5, dispatched: 5, deleted: 5 } });
    expect(dc.count(user)).toBe(0);
    const account = await w.runtime.prisma.mailAccount.findUniqueOrThrow({ where: { id } });
    expect(account.passwordEnc).toBe('');
  });
});

describe('a server offering only XOAUTH2 (as Exchange Online does)', () => {
  it('logs in with XOAUTH2 on IMAP and POP3', async () => {
    await dc.configure('auth_mechanisms = plain login xoauth2');
    try {
      for (const [type, user] of [
        ['IMAPS', dc.users[0]!],
        ['POP3S', dc.users[3]!],
      ] as const) {
        await dc.seed(user, 1, 2000, { prefix: `xoauth2-${type}` });
        const id = await oauthAccount(type, user, await appOnly(user));
        const trace: string[] = [];
        const outcome = await w.runtime.service.fetchAccount(
          { accountId: id, trigger: 'manual' },
          { trace: (d, line) => trace.push(`${d} ${line}`) },
        );
        expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 1 } });
        expect(trace.join('\n')).toMatch(/XOAUTH2/);
        expect(trace.join('\n')).not.toMatch(/OAUTHBEARER/);
        const token = (await w.runtime.infra.accessTokens.tokens.read(id))!.accessToken!;
        expect(trace.join('\n')).not.toContain(token);
        // Nor the SASL response that carries it in base64.
        expect(trace.join('\n')).not.toMatch(/[A-Za-z0-9+/=]{120,}/);
      }
    } finally {
      await dc.configure('auth_mechanisms = plain login xoauth2 oauthbearer');
    }
  });
});

describe('the token life of an app-only account', () => {
  it('asks the provider once, then logs in with the stored token until the server refuses it', async () => {
    const user = dc.users[6]!;
    const id = await oauthAccount('IMAP', user, await appOnly(user));
    const before = as.tokenRequests.client_credentials ?? 0;
    await dc.seed(user, 2, 2000, { prefix: 'first' });
    expect((await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).outcome).toBe('success');
    await dc.seed(user, 2, 2000, { prefix: 'second' });
    expect((await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).outcome).toBe('success');
    expect(as.tokenRequests.client_credentials).toBe(before + 1);

    // Revoked at the provider before its time: the login is refused, one new token, the run goes on.
    const stored = await w.runtime.infra.accessTokens.tokens.read(id);
    await as.revoke(user, stored!.accessToken!);
    await dc.seed(user, 3, 2000, { prefix: 'third' });
    const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 3, deleted: 3 } });
    expect(as.tokenRequests.client_credentials).toBe(before + 2);
    expect((await w.runtime.infra.accessTokens.tokens.read(id))!.accessToken).not.toBe(stored!.accessToken);
  });

  it('keeps every token sealed: none in PostgreSQL in plain text, none in Redis', async () => {
    const user = dc.users[7]!;
    const id = await oauthAccount('POP3', user, await appOnly(user));
    await dc.seed(user, 1, 2000, { prefix: 'sealed' });
    expect((await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).outcome).toBe('success');
    const token = (await w.runtime.infra.accessTokens.tokens.read(id))!.accessToken!;
    expect(token.length).toBeGreaterThan(20);
    expect(await dumpDatabase(w.ctx.databaseUrl)).not.toContain(token);
    expect(await dumpDatabase(w.ctx.databaseUrl)).not.toContain(as.appClient(user).clientSecret);
    expect(await dumpRedis(w.runtime.redis, w.ctx.prefix)).not.toContain(token);
  });

  it('fails the run with a clear auth error naming the provider when the client secret is wrong, deleting nothing', async () => {
    const user = dc.users[8]!;
    const providerId = await appOnly(user, 'not-the-secret');
    const id = await oauthAccount('IMAPS', user, providerId);
    await dc.seed(user, 2, 2000, { prefix: 'wrong-secret' });
    const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(outcome.outcome).toBe('failed');
    expect(outcome.error).toMatchObject({ class: 'auth', code: 'OAUTH2_PROVIDER_REFUSED' });
    expect(outcome.error!.message).toMatch(
      /^OAuth2 provider "app user9 [^"]+" refused the client \(client credentials\): invalid_client/,
    );
    expect(outcome.error!.message).not.toContain('not-the-secret');
    expect(dc.count(user)).toBe(2);
  });

  it('says which mechanisms a server offers when it takes no bearer token', async () => {
    const plain = await startDovecot({ users: 1, noTls: true });
    try {
      const user = dc.users[9]!;
      const providerId = await appOnly(user);
      for (const type of ['IMAP', 'POP3'] as const) {
        const view = await w.accounts.create(
          {
            type,
            host: 'localhost',
            port: type === 'IMAP' ? plain.imapPort : plain.pop3Port,
            username: plain.users[0]!,
            auth: { method: 'oauth2', providerId },
          },
          'test',
        );
        const outcome = await w.runtime.service.fetchAccount({ accountId: view.id, trigger: 'manual' });
        expect(outcome.error).toMatchObject({ class: 'config', code: 'MAIL_ACCOUNT_MISCONFIGURED' });
        expect(outcome.error!.message).toMatch(
          /offers no OAuth2 login \(XOAUTH2 or OAUTHBEARER\); it offers PLAIN, LOGIN/,
        );
      }
    } finally {
      await plain.stop();
    }
  });
});
