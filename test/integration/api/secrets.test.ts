import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountService, rotateSecretKeys } from '@mailduct/core/accounts';
import { SecretBox } from '@mailduct/core/crypto';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { dumpDatabase } from '../../helpers/database-dump.js';

let t: TestApi;
const MARK = 'Zq7-unique-Passw0rd-marker';
const bodies: string[] = [];

beforeAll(async () => {
  t = await createTestApi();
});
afterAll(async () => t?.close());

async function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  const res = await t.app.inject({ method, url, headers: t.auth, payload });
  bodies.push(res.body, JSON.stringify(res.headers));
  return res;
}

describe('passwords never leak', () => {
  it('are absent from responses, errors, logs and every database table', async () => {
    const created = await call('POST', '/api/v1/mail-accounts', {
      type: 'IMAPS',
      host: 'secret.example.com',
      username: 'leak-test',
      password: MARK,
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    await call('GET', `/api/v1/mail-accounts/${id}`);
    await call('GET', '/api/v1/mail-accounts?q=secret');
    await call('PATCH', `/api/v1/mail-accounts/${id}`, { password: `${MARK}-2`, comment: 'rotated' });
    // Rejected requests carrying the password: too long, duplicate, bad field next to it.
    await call('POST', '/api/v1/mail-accounts', {
      type: 'IMAPS',
      host: 'secret.example.com',
      username: 'x',
      password: `${MARK}${'x'.repeat(200)}`,
    });
    await call('POST', '/api/v1/mail-accounts', {
      type: 'IMAPS',
      host: 'secret.example.com',
      username: 'leak-test',
      password: MARK,
    });
    await call('PATCH', `/api/v1/mail-accounts/${id}`, { password: MARK, port: 'nope' });
    await call('POST', '/api/v1/mail-accounts', { type: 'IMAPS', host: 'imaps://bad', username: 'y', password: MARK });
    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) expect(body).not.toContain(MARK);
    const logs = t.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0); // debug level: request lines were written
    expect(logs).not.toContain(MARK);
    expect(logs).not.toContain(t.token);
    const dump = await dumpDatabase(t.ctx.databaseUrl);
    expect(dump).toContain('secret.example.com');
    expect(dump).not.toContain(MARK);
    expect(dump).not.toContain(t.token);
    // ...and yet the stored password is the latest one.
    expect((await t.deps.services.accounts.credentials(id)).password).toBe(`${MARK}-2`);
  });

  it('redacts secrets that reach the logger by mistake', () => {
    t.deps.logger.info(
      { password: MARK, account: { password: MARK }, req: { headers: { authorization: `Bearer ${MARK}` } } },
      'oops',
    );
    const line = t.logs.at(-1)!;
    expect(line).toContain('oops');
    expect(line).not.toContain(MARK);
  });
});

describe('key rotation', () => {
  it('re-encrypts every account under the new key; the old key is then no longer needed', async () => {
    const oldKey = t.ctx.config.secretKey;
    const ids: number[] = [];
    for (let i = 0; i < 25; i++)
      ids.push(
        (
          await t.deps.services.accounts.create(
            { type: 'POP3S', host: 'rot.example.com', username: `r${i}`, password: `pw-${i}` },
            'test',
          )
        ).id,
      );
    const newKey = randomBytes(32).toString('base64');
    const rotating = new SecretBox(newKey, [oldKey]);
    const result = await rotateSecretKeys(t.deps.prisma, rotating);
    expect(result.unreadable).toEqual([]);
    expect(result.rotated).toBe(result.total);
    expect((await rotateSecretKeys(t.deps.prisma, rotating)).rotated).toBe(0);
    const newOnly = new AccountService({
      prisma: t.deps.prisma,
      secrets: new SecretBox(newKey),
      defaults: { pollIntervalSeconds: 600 },
    });
    for (const [i, id] of ids.entries()) expect((await newOnly.credentials(id)).password).toBe(`pw-${i}`);
    const oldOnly = new AccountService({
      prisma: t.deps.prisma,
      secrets: new SecretBox(oldKey),
      defaults: { pollIntervalSeconds: 600 },
    });
    await expect(oldOnly.credentials(ids[0]!)).rejects.toMatchObject({ code: 'SECRET_UNREADABLE' });
  });

  it('reports accounts whose key is not configured', async () => {
    const stranger = new SecretBox(randomBytes(32).toString('base64'));
    const result = await rotateSecretKeys(t.deps.prisma, stranger);
    expect(result.unreadable.length).toBe(result.total);
    expect(result.rotated).toBe(0);
  });
});

describe('keys rotate with OAuth2 secrets', () => {
  it('re-encrypts client secrets and tokens too, and takes an empty OAuth2 password for nothing', async () => {
    const oldKey = t.ctx.config.secretKey;
    const provider = (
      await call('POST', '/api/v1/oauth2-providers', {
        name: 'Rotated',
        kind: 'microsoft',
        clientId: 'rot-client',
        clientSecret: 'rot-client-secret',
        grant: 'authorization_code',
      })
    ).json();
    const account = (
      await call('POST', '/api/v1/mail-accounts', {
        type: 'IMAPS',
        host: 'outlook.office365.com',
        username: 'rotated@example.com',
        auth: { method: 'oauth2', providerId: provider.id },
      })
    ).json();
    await t.deps.tokens.tokens.authorized(
      account.id,
      { accessToken: 'rot-access', accessExpiresAt: null, refreshToken: 'rot-refresh', scope: null, identity: null },
      'test',
    );
    const newKey = randomBytes(32).toString('base64');
    const result = await rotateSecretKeys(t.deps.prisma, new SecretBox(newKey, [oldKey]));
    // (The passwords of the accounts above were rotated to a key of their own already.)
    expect(result.unreadable.filter((u) => !u.startsWith('password of'))).toEqual([]);
    const newOnly = new SecretBox(newKey);
    const p = await t.deps.prisma.oAuth2Provider.findUniqueOrThrow({ where: { id: provider.id } });
    expect(newOnly.open(p.clientSecretEnc!)).toBe('rot-client-secret');
    const tok = await t.deps.prisma.oAuth2Token.findUniqueOrThrow({ where: { accountId: account.id } });
    expect(newOnly.open(tok.refreshTokenEnc!)).toBe('rot-refresh');
    expect(newOnly.open(tok.accessTokenEnc!)).toBe('rot-access');
    const stranger = await rotateSecretKeys(t.deps.prisma, new SecretBox(randomBytes(32).toString('base64')));
    expect(stranger.unreadable).toEqual(
      expect.arrayContaining([
        `client secret of OAuth2 provider ${provider.id}`,
        `OAuth2 refresh token of mail account ${account.id}`,
      ]),
    );
    expect(stranger.unreadable).not.toContain(`password of mail account ${account.id}`);
  });
});
