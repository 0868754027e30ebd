import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailboxKey } from '@mailduct/core/accounts';
import { createTestApi, type TestApi } from '../../helpers/api.js';

// One account per mailbox: spellings of the same mailbox are one, and the database refuses a
// second account even when the requests arrive at once.
let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(async () => t?.close());

const base = { type: 'IMAP', host: 'mail.dup.example', username: 'desk', password: 's3cret-Passw0rd' };

async function post(body: object) {
  return t.app.inject({ method: 'POST', url: '/api/v1/mail-accounts', headers: t.auth, payload: body });
}

describe('the same mailbox spelt differently', () => {
  it.each([
    ['the folder in another case', { imapFolder: 'inbox' }],
    ['the user name in another case', { username: (u: string) => u.toUpperCase() }],
    ['the host with a trailing dot and capitals', { host: 'MAIL.dup.example.' }],
    ['IMAPS on the standard TLS port', { type: 'IMAPS', port: 993 }],
    ['IMAPTLS on the standard port, given explicitly', { type: 'IMAPTLS', port: 143 }],
  ] as const)('%s is refused with 409', async (name, change) => {
    const user = `desk-${name.replaceAll(' ', '-')}`;
    const first = await post({ ...base, username: user, imapFolder: 'INBOX' });
    expect(first.statusCode).toBe(201);
    const { username, ...rest } = change as { username?: (u: string) => string };
    const res = await post({ ...base, ...rest, username: username ? username(user) : user });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'ACCOUNT_EXISTS', details: { accountId: first.json().id } });
  });

  it('another port on the same host is another server, and another folder another mailbox', async () => {
    expect((await post({ ...base, username: 'ports' })).statusCode).toBe(201);
    expect((await post({ ...base, username: 'ports', port: 1143 })).statusCode).toBe(201);
    expect((await post({ ...base, username: 'ports', imapFolder: 'Support' })).statusCode).toBe(201);
    expect((await post({ ...base, username: 'ports', type: 'POP3' })).statusCode).toBe(201);
  });

  it("a PATCH onto another account's mailbox is refused", async () => {
    await post({ ...base, username: 'patch-a' });
    const b = (await post({ ...base, username: 'patch-b' })).json();
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/mail-accounts/${b.id}`,
      headers: t.auth,
      payload: { username: 'Patch-A' },
    });
    expect(res.statusCode).toBe(409);
  });
});

describe('several folders', () => {
  it('a folder another account of the mailbox reads, first or not, is refused; other folders are not', async () => {
    const first = (await post({ ...base, username: 'folders', imapFolders: ['INBOX', 'Support/DE'] })).json();
    const second = await post({ ...base, username: 'folders', imapFolders: ['Support/DE'] });
    expect(second.statusCode).toBe(409);
    expect(second.json().error).toMatchObject({ code: 'ACCOUNT_EXISTS', details: { accountId: first.id } });
    expect(second.json().error.message).toContain('Support/DE');
    expect((await post({ ...base, username: 'folders', imapFolders: ['Archive', 'inbox'] })).statusCode).toBe(409);
    const other = await post({ ...base, username: 'folders', imapFolders: ['Support/FR', 'Support/IT'] });
    expect(other.statusCode).toBe(201);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/mail-accounts/${other.json().id}`,
      headers: t.auth,
      payload: { imapFolders: ['Support/FR', 'Support/DE'] },
    });
    expect(patched.statusCode).toBe(409);
  });
});

describe('parallel creates of one mailbox', () => {
  it('exactly one of 10 succeeds, the others get 409', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => post({ ...base, username: 'parallel' })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, ...Array(9).fill(409)]);
    expect(results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'ACCOUNT_EXISTS')).toBe(
      true,
    );
    expect(await t.deps.prisma.mailAccount.count({ where: { username: 'parallel' } })).toBe(1);
  });
});

describe('mailboxKey', () => {
  it('computes what the database trigger stores', async () => {
    const cases = [
      { type: 'IMAP', host: 'Mail.Example.COM..', port: null, username: 'Ünïcode.User', imapFolder: 'INBOX' },
      { type: 'IMAPS', host: 'mail.example.com', port: 993, username: 'a', imapFolder: 'InBox' },
      { type: 'IMAPTLS', host: 'mail.example.com', port: 10143, username: 'a', imapFolder: 'Archiv/2024' },
      { type: 'POP3S', host: '10.0.0.1', port: 995, username: 'b@c', imapFolder: null },
      { type: 'POP3', host: 'h', port: 1110, username: 'B@C', imapFolder: null },
    ] as const;
    for (const [i, c] of cases.entries()) {
      const row = await t.deps.prisma.mailAccount.create({
        data: { ...c, username: `${c.username}-${i}`, passwordEnc: 'x' },
      });
      expect(row.mailboxKey).toBe(mailboxKey({ ...c, username: `${c.username}-${i}` }));
    }
  });
});
