import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';

// The dry run before an account fetches anything: what the server holds, its oldest and newest
// mail, how much the initial import would take, and where it would go.
let t: TestApi;
let dc: Dovecot;
const DAY = 24 * 3600 * 1000;
beforeAll(async () => {
  [t, dc] = await Promise.all([createTestApi(), startDovecot({ users: 4, noTls: true })]);
  await dc.seed(dc.users[0]!, 4, 1000, { prefix: 'old', date: new Date(Date.now() - 60 * DAY) });
  await dc.seed(dc.users[0]!, 2, 1000, { prefix: 'recent', date: new Date(Date.now() - 2 * DAY) });
  await dc.seed(dc.users[0]!, 3, 1000, { prefix: 'support', folder: 'Support', date: new Date(Date.now() - 3 * DAY) });
});
afterAll(async () => {
  await t?.close();
  await dc?.stop();
});

const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth, payload });
const settings = (extra: object = {}) => ({
  type: 'IMAP',
  host: '127.0.0.1',
  port: dc.imapPort,
  username: dc.users[0],
  password: dc.password,
  ...extra,
});

describe('import preview', () => {
  it('of unsaved settings: counts per folder, dates, what "since" takes, and where the first of it goes', async () => {
    const since = new Date(Date.now() - 10 * DAY).toISOString();
    const res = await call(
      'POST',
      '/api/v1/mail-accounts/preview?limit=3',
      settings({ imapFolders: ['INBOX', 'Support'], initialImport: 'since', importSince: since }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.import).toMatchObject({ initialImport: 'since', total: 9, wouldImport: 5 });
    expect(
      body.import.folders.map((f: { folder: string; total: number; wouldImport: number }) => [
        f.folder,
        f.total,
        f.wouldImport,
      ]),
    ).toEqual([
      ['INBOX', 6, 2],
      ['Support', 3, 3],
    ]);
    expect(Date.parse(body.import.oldest)).toBeLessThan(Date.now() - 59 * DAY);
    expect(Date.parse(body.import.newest)).toBeGreaterThan(Date.now() - 3 * DAY);
    expect(body.items.map((i: { folder: string; subject: string }) => [i.folder, i.subject])).toEqual([
      ['INBOX', 'recent message 1'],
      ['INBOX', 'recent message 2'],
      ['Support', 'support message 1'],
    ]);
    expect(body.items[0]).toMatchObject({ status: 'dispatched', queue: { name: 'Raw' } });
    // nothing happened: no account, no message, every mail on the server as it was
    expect(await t.deps.prisma.mailAccount.count()).toBe(0);
    expect(dc.count(dc.users[0]!)).toBe(6);
  });

  it('"none" takes nothing that is there already', async () => {
    const res = await call('POST', '/api/v1/mail-accounts/preview', settings({ initialImport: 'none' }));
    expect(res.json().import).toMatchObject({ initialImport: 'none', total: 6, wouldImport: 0 });
    expect(res.json().items).toEqual([]);
  });

  it('of a stored account, and a move target that does not exist is named', async () => {
    const created = await call('POST', '/api/v1/mail-accounts', settings({ validity: 'invalid' }));
    const id = created.json().id;
    const ok = await call('POST', `/api/v1/mail-accounts/${id}/dry-run`);
    expect(ok.json().import).toMatchObject({ initialImport: 'all', total: 6, wouldImport: 6 });
    const moving = await call(
      'POST',
      '/api/v1/mail-accounts/preview',
      settings({ afterFetch: 'moveTo', moveToFolder: 'Gone' }),
    );
    expect(moving.statusCode).toBe(502);
    expect(moving.json().error).toMatchObject({ code: 'MAIL_FOLDER_MISSING' });
    expect(moving.json().error.message).toContain('"Gone"');
    // test connection says so too
    const tested = await call(
      'POST',
      '/api/v1/mail-accounts/test',
      settings({ afterFetch: 'moveTo', moveToFolder: 'Gone' }),
    );
    expect(tested.json()).toMatchObject({ ok: false, error: { class: 'config', code: 'MAIL_FOLDER_MISSING' } });
  });

  it('a bad setting is a 400 naming the field', async () => {
    const res = await call('POST', '/api/v1/mail-accounts/preview', settings({ initialImport: 'since' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toContainEqual({
      field: 'importSince',
      problem: 'is required when initialImport is "since"',
    });
  });
});
