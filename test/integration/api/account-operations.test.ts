import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { waitFor } from '../../helpers/processes.js';
import { startTestFetcher, type TestFetcher } from '../../helpers/runtime.js';

let t: TestApi;
let dc: Dovecot;
let fetcher: TestFetcher;
beforeAll(async () => {
  [t, dc] = await Promise.all([createTestApi(), startDovecot({ users: 4 })]);
  fetcher = await startTestFetcher(t.ctx.config, createLogger({ level: 'silent' }));
});
afterAll(async () => {
  await fetcher?.close();
  await t?.close();
  await dc?.stop();
});

const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth, payload });
async function account(user: string, extra: object = {}): Promise<number> {
  const res = await call('POST', '/api/v1/mail-accounts', {
    type: 'IMAP',
    host: '127.0.0.1',
    port: dc.imapPort,
    username: user,
    password: dc.password,
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

describe('fetch now', () => {
  it('queues a fetch (202), even for an invalid account, and reports state and result', async () => {
    await dc.seed(dc.users[0]!, 4, 1500);
    const id = await account(dc.users[0]!, { validity: 'invalid' });
    // no body at all, as `curl -X POST` sends it: no options
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/mail-accounts/${id}/fetch`, headers: t.auth });
    expect(res.statusCode, res.body).toBe(202);
    const { jobId } = res.json();
    expect(res.headers.location).toBe(`/api/v1/fetch-jobs/${jobId}`);
    let view = (await call('GET', `/api/v1/fetch-jobs/${jobId}`)).json();
    await waitFor(
      'the job to finish',
      async () => {
        view = (await call('GET', `/api/v1/fetch-jobs/${jobId}`)).json();
        return view.state === 'completed' || view.state === 'failed';
      },
      20_000,
    );
    expect(view).toMatchObject({
      accountId: id,
      trigger: 'manual',
      state: 'completed',
      result: { outcome: 'success', counts: { fetched: 4 } },
    });
    expect(dc.count(dc.users[0]!)).toBe(0);
    const runs = (await call('GET', `/api/v1/mail-accounts/${id}/runs`)).json();
    expect(runs.items[0]).toMatchObject({
      trigger: 'manual',
      outcome: 'success',
      fetched: 4,
      error: null,
      worker: expect.stringMatching(/:\d+$/),
    });
  });

  it('reports a failed run as a failed job with the run result', async () => {
    const id = await account(dc.users[1]!, { password: 'bad-password' });
    const { jobId } = (await call('POST', `/api/v1/mail-accounts/${id}/fetch`, { limit: 15 })).json();
    let view: { state: string; result: unknown; failedReason: string } = { state: '', result: null, failedReason: '' };
    await waitFor(
      'the job to finish',
      async () => {
        view = (await call('GET', `/api/v1/fetch-jobs/${jobId}`)).json();
        return view.state === 'failed';
      },
      20_000,
    );
    expect(view.failedReason).toMatch(/^auth: login refused/);
    expect(view.result).toMatchObject({ outcome: 'failed', error: { class: 'auth' } });
    expect((await call('GET', `/api/v1/mail-accounts/${id}`)).json().state).toMatchObject({
      lastError: { class: 'auth' },
      consecutiveFailures: 1,
    });
  });

  it('404s for an unknown account or job', async () => {
    expect((await call('POST', '/api/v1/mail-accounts/999999/fetch', {})).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/fetch-jobs/manual-1-0')).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/fetch-jobs/bad:id')).statusCode).toBe(400);
  });
});

describe('test connection', () => {
  it('reports ok with the message count for good settings, stored or not', async () => {
    await dc.seed(dc.users[2]!, 3, 1000);
    const id = await account(dc.users[2]!);
    expect((await call('POST', `/api/v1/mail-accounts/${id}/test`)).json()).toMatchObject({ ok: true, messages: 3 });
    const unsaved = await call('POST', '/api/v1/mail-accounts/test', {
      type: 'POP3S',
      host: 'localhost',
      port: dc.pop3sPort,
      username: dc.users[2],
      password: dc.password,
      tlsVerify: false,
    });
    expect(unsaved.json()).toMatchObject({ ok: true, messages: 3 });
    // The edit form sends no password: the stored one is used.
    const edited = await call('POST', '/api/v1/mail-accounts/test', {
      accountId: id,
      type: 'IMAP',
      host: '127.0.0.1',
      port: dc.imapPort,
      username: dc.users[2],
    });
    expect(edited.json()).toMatchObject({ ok: true });
  });

  it('names the error class and the server message, never the password', async () => {
    const wrong = await call('POST', '/api/v1/mail-accounts/test', {
      type: 'IMAP',
      host: '127.0.0.1',
      port: dc.imapPort,
      username: dc.users[2],
      password: 'Secret-Wrong-77',
    });
    expect(wrong.json()).toMatchObject({ ok: false, error: { class: 'auth', code: 'MAIL_AUTH_REFUSED' } });
    expect(wrong.body).not.toContain('Secret-Wrong-77');
    const badHost = await call('POST', '/api/v1/mail-accounts/test', {
      type: 'IMAP',
      host: 'no-such-host.invalid',
      username: 'x',
      password: 'y',
    });
    expect(badHost.json()).toMatchObject({ ok: false, error: { class: 'network' } });
    const tls = await call('POST', '/api/v1/mail-accounts/test', {
      type: 'IMAPS',
      host: 'localhost',
      port: dc.imapsPort,
      username: dc.users[2],
      password: dc.password,
    });
    expect(tls.json()).toMatchObject({ ok: false, error: { class: 'tls', code: 'MAIL_TLS_FAILED' } });
    expect((await call('POST', '/api/v1/mail-accounts/test', { type: 'IMAP', host: 'x.example' })).statusCode).toBe(
      400,
    );
  });
});

describe('dry run', () => {
  it('lists where each message would go and changes nothing on the server or in the database', async () => {
    const user = dc.users[3]!;
    await dc.seed(user, 5, 1200, { prefix: 'dry' });
    const id = await account(user, { dispatch: { by: 'queue', queueId: 3 } });
    const before = await t.deps.prisma.inboundMessage.count();
    const res = await call('POST', `/api/v1/mail-accounts/${id}/dry-run?limit=3`);
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(5);
    expect(res.json().items).toHaveLength(3);
    expect(res.json().items[0]).toMatchObject({
      subject: 'dry message 1',
      from: 'sender@seed.test',
      status: 'dispatched',
      queue: { name: 'Junk' },
      by: 'queue',
    });
    expect(dc.count(user)).toBe(5);
    expect(await t.deps.prisma.inboundMessage.count()).toBe(before);
    expect(await t.deps.prisma.fetchRun.count({ where: { accountId: id } })).toBe(0);
  });
});
