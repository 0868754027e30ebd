import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';

let dc: Dovecot;
let plain: Dovecot;
let w: FetchWorld;
let withCa: FetchWorld;
let noTls: FetchWorld;
beforeAll(async () => {
  [dc, plain] = await Promise.all([startDovecot({ users: 12 }), startDovecot({ users: 2, noTls: true })]);
  w = await createFetchWorld(dc, {}, { MAILDUCT_MAX_MESSAGE_BYTES: String(64 * 1024) });
  withCa = await createFetchWorld(dc, {}, { MAILDUCT_EXTRA_CA_FILE: join(dc.dir, 'ssl', 'cert.pem') });
  noTls = await createFetchWorld(plain);
});
afterAll(async () => {
  await Promise.all([w?.close(), withCa?.close(), noTls?.close()]);
  await Promise.all([dc?.stop(), plain?.stop()]);
});

describe('STARTTLS / STLS', () => {
  it.each(['IMAPTLS', 'POP3TLS'] as const)(
    '%s refuses a server that does not offer it, deleting nothing',
    async (type) => {
      const user = plain.users[type === 'IMAPTLS' ? 0 : 1]!;
      await plain.seed(user, 2, 1000);
      const id = await noTls.account(type, user);
      const outcome = await noTls.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
      expect(outcome).toMatchObject({ outcome: 'failed', error: { class: 'tls', code: 'MAIL_STARTTLS_UNAVAILABLE' } });
      expect(plain.count(user)).toBe(2);
    },
  );
});

describe('certificate verification', () => {
  it.each(['IMAPS', 'POP3S', 'IMAPTLS', 'POP3TLS'] as const)(
    '%s fails against the self-signed test certificate by default',
    async (type) => {
      const user = dc.users[{ IMAPS: 8, POP3S: 9, IMAPTLS: 10, POP3TLS: 11 }[type]]!;
      const id = await w.account(type, user, { tlsVerify: true, comment: type });
      const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
      expect(outcome).toMatchObject({ outcome: 'failed', error: { class: 'tls', code: 'MAIL_TLS_FAILED' } });
    },
  );

  it('passes with the CA configured as MAILDUCT_EXTRA_CA_FILE', async () => {
    const user = dc.users[1]!;
    await dc.seed(user, 2, 1000);
    const id = await withCa.account('IMAPS', user, { tlsVerify: true });
    expect(await withCa.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({
      outcome: 'success',
      counts: { fetched: 2 },
    });
  });

  it('passes with tlsVerify false', async () => {
    const user = dc.users[2]!;
    await dc.seed(user, 1, 1000);
    const id = await w.account('POP3S', user, { tlsVerify: false });
    expect(await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({
      outcome: 'success',
      counts: { fetched: 1 },
    });
  });
});

describe('authentication', () => {
  it('a wrong password fails with class auth and deletes nothing; the account records the error', async () => {
    const user = dc.users[3]!;
    await dc.seed(user, 3, 1000);
    const id = await w.account('IMAP', user, { password: 'not-the-password' });
    const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(outcome).toMatchObject({ outcome: 'failed', error: { class: 'auth', code: 'MAIL_AUTH_REFUSED' } });
    expect(outcome.error!.message).not.toContain('not-the-password');
    expect(dc.count(user)).toBe(3);
    const account = await w.runtime.prisma.mailAccount.findUniqueOrThrow({ where: { id } });
    expect(account).toMatchObject({ lastErrorClass: 'auth', consecutiveFailures: 1, consecutiveAuthFailures: 1 });
    const run = await w.runtime.prisma.fetchRun.findFirstOrThrow({ where: { accountId: id } });
    expect(run).toMatchObject({ outcome: 'failed', errorClass: 'auth' });
  });
});

describe('oversized messages', () => {
  it.each(['IMAP', 'POP3'] as const)(
    '%s leaves a message above the limit on the server and reports it on every run',
    async (type) => {
      const user = type === 'IMAP' ? dc.users[4]! : dc.users[5]!;
      await dc.seed(user, 2, 2000, { prefix: 'small' });
      await dc.seed(user, 1, 100 * 1024, { prefix: 'huge' });
      const id = await w.account(type, user);
      for (let run = 1; run <= 2; run++) {
        const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
        expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: run === 1 ? 2 : 0, oversized: 1 } });
        expect(dc.count(user)).toBe(1);
        expect((await w.runtime.prisma.mailAccount.findUniqueOrThrow({ where: { id } })).oversizedCount).toBe(1);
      }
      const runs = await w.runtime.prisma.fetchRun.findMany({ where: { accountId: id } });
      expect(runs.map((r) => r.oversized)).toEqual([1, 1]);
    },
  );
});
