import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { VIEW_INCLUDE, AccountReadRepository } from '@mailduct/core/accounts';
import { createPgPool } from '@mailduct/core/db';
import { createTestApi, type TestApi } from '../../helpers/api.js';

let t: TestApi;
let pool: pg.Pool;

beforeAll(async () => {
  t = await createTestApi();
  pool = createPgPool(t.ctx.databaseUrl);
});
afterAll(async () => {
  await pool?.end();
  await t?.close();
});

describe('AccountReadRepository', () => {
  it('reads every column as Prisma does, so the fast reads cannot drift from the schema', async () => {
    const queue = await t.deps.services.queues.create({ name: 'Support', comment: null, valid: true }, 'test');
    const account = await t.deps.services.accounts.create(
      {
        type: 'IMAPS',
        host: 'mail.example.com',
        port: 993,
        username: 'desk',
        password: 'secret',
        imapFolder: 'Support',
        trusted: true,
        dispatch: { by: 'queue', queueId: queue.id },
        validity: 'invalid-temporarily',
        comment: 'read me',
        tlsVerify: false,
        pollIntervalSeconds: 300,
      },
      'test',
    );
    await t.deps.prisma.mailAccount.update({
      where: { id: account.id },
      data: { lastRunAt: new Date('2026-12-01T10:00:00Z'), lastErrorClass: 'auth', consecutiveFailures: 2 },
    });
    const provider = await t.deps.services.providers.create(
      { name: 'Read me', kind: 'google', clientId: 'c', clientSecret: 's', grant: 'authorization_code' },
      'test',
    );
    const oauth = await t.deps.services.accounts.create(
      {
        type: 'IMAPS',
        host: 'imap.gmail.com',
        username: 'desk@example.com',
        auth: { method: 'oauth2', providerId: provider.id },
      },
      'test',
    );
    await t.deps.tokens.tokens.authorized(
      oauth.id,
      {
        accessToken: 'a',
        accessExpiresAt: null,
        refreshToken: 'r',
        refreshExpiresAt: new Date('2027-01-01T00:00:00Z'),
        scope: null,
        identity: 'desk@example.com',
      },
      'test',
    );
    const reads = new AccountReadRepository(pool);
    for (const id of [account.id, oauth.id]) {
      const viaPrisma = await t.deps.prisma.mailAccount.findUnique({ where: { id }, include: VIEW_INCLUDE });
      expect(await reads.byId(id)).toEqual(viaPrisma);
      expect(await reads.byIds([id, 999_999])).toEqual([viaPrisma]);
    }
  });
});
