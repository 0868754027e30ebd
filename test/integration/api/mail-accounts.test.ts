import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(async () => t?.close());

const valid = { type: 'IMAP', host: 'mail.example.com', username: 'support', password: 's3cret-Passw0rd' };

async function post(body: unknown) {
  return t.app.inject({ method: 'POST', url: '/api/v1/mail-accounts', headers: t.auth, payload: body as object });
}

function fieldsOf(res: { json(): unknown }): string[] {
  return ((res.json() as { error: { details: { field: string }[] } }).error.details ?? []).map((d) => d.field);
}

let seq = 0;
const unique = (extra: object = {}) => ({ ...valid, username: `user${++seq}`, ...extra });

describe('POST /api/v1/mail-accounts', () => {
  it('creates an account with the OTOBO defaults and never returns the password', async () => {
    const res = await post(unique());
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      type: 'IMAP',
      imapFolder: 'INBOX',
      trusted: false,
      dispatch: { by: 'to' },
      validity: 'valid',
      tlsVerify: true,
      pollIntervalSeconds: 600,
      hasPassword: true,
      effectivePort: 143,
      createdBy: 'test-admin',
    });
    expect(body).not.toHaveProperty('password');
    expect(body).not.toHaveProperty('passwordEnc');
    expect(res.headers.location).toBe(`/api/v1/mail-accounts/${body.id}`);
  });

  it('names every missing required field', async () => {
    const res = await post({});
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(fieldsOf(res)).toEqual(expect.arrayContaining(['type', 'host', 'username']));
    // The password is required unless the account signs in with OAuth2: named once the rest is there.
    const noPassword = await post({ type: 'IMAP', host: 'mail.example.com', username: 'nopw' });
    expect(res.statusCode).toBe(400);
    expect(noPassword.json().error.details).toEqual([{ field: 'password', problem: 'is required' }]);
  });

  it.each([
    ['username', 'u'.repeat(201)],
    ['password', 'p'.repeat(201)],
    ['host', 'h'.repeat(201)],
    ['imapFolder', 'f'.repeat(251)],
    ['comment', 'c'.repeat(251)],
  ])('rejects an over-long %s', async (field, value) => {
    const res = await post(unique({ [field]: value }));
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res)).toContain(field);
  });

  it('rejects an unknown type, naming the allowed ones', async () => {
    const res = await post(unique({ type: 'SMTP' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toContainEqual(
      expect.objectContaining({
        field: 'type',
        problem: expect.stringContaining('IMAP, IMAPS, IMAPTLS, POP3, POP3S, POP3TLS'),
      }),
    );
  });

  it('rejects a host with a scheme', async () => {
    const res = await post(unique({ host: 'imaps://mail.example.com' }));
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res)).toEqual(['host']);
  });

  it('requires a queue when dispatching by queue', async () => {
    const res = await post(unique({ dispatch: { by: 'queue' } }));
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res)).toEqual(['dispatch.queueId']);
  });

  it('refuses an unknown queue', async () => {
    const res = await post(unique({ dispatch: { by: 'queue', queueId: 9999 } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ field: 'dispatch.queueId', problem: 'queue 9999 does not exist' }]);
  });

  it('refuses an invalid queue', async () => {
    const q = await t.app.inject({
      method: 'POST',
      url: '/api/v1/queues',
      headers: t.auth,
      payload: { name: 'Closed', valid: false },
    });
    const res = await post(unique({ dispatch: { by: 'queue', queueId: q.json().id } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].problem).toMatch(/not valid/);
  });

  it('dispatches into a selected valid queue', async () => {
    const res = await post(unique({ dispatch: { by: 'queue', queueId: 4 } }));
    expect(res.statusCode).toBe(201);
    expect(res.json().dispatch).toEqual({ by: 'queue', queueId: 4, queueName: 'Misc' });
  });

  it('stores no IMAP folder for POP3 types', async () => {
    const res = await post(unique({ type: 'POP3', imapFolder: 'Foo' }));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ imapFolder: null, effectivePort: 110 });
  });

  it('rejects extra fields and wrong types without coercing', async () => {
    const res = await post(unique({ trusted: 'yes', colour: 'blue' }));
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res)).toEqual(expect.arrayContaining(['trusted', 'colour']));
  });

  it('rejects a port out of range and a poll interval under 30 s', async () => {
    const res = await post(unique({ port: 70000, pollIntervalSeconds: 10 }));
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res)).toEqual(expect.arrayContaining(['port', 'pollIntervalSeconds']));
  });

  it('answers malformed JSON with 400 and the error shape', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/mail-accounts',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: '{"type": "IMAP",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: 'MALFORMED_REQUEST', message: 'request body is not valid JSON', details: null },
    });
  });

  it('refuses a second account for the same mailbox', async () => {
    const body = unique({ host: 'dup.example.com' });
    expect((await post(body)).statusCode).toBe(201);
    const res = await post({ ...body, type: 'IMAPS', host: 'DUP.example.com' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('ACCOUNT_EXISTS');
  });
});

describe('GET/PATCH/DELETE /api/v1/mail-accounts/:id', () => {
  it('keeps the stored password when PATCH omits it, and replaces it when given', async () => {
    const { id } = (await post(unique({ password: 'original-pw' }))).json();
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/mail-accounts/${id}`,
      headers: t.auth,
      payload: { comment: 'edited' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().comment).toBe('edited');
    expect((await t.deps.services.accounts.credentials(id)).password).toBe('original-pw');
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/mail-accounts/${id}`,
      headers: t.auth,
      payload: { password: 'changed-pw' },
    });
    expect((await t.deps.services.accounts.credentials(id)).password).toBe('changed-pw');
  });

  it('re-applies the folder rule when the type changes', async () => {
    const { id } = (await post(unique({ imapFolder: 'Tickets' }))).json();
    const pop = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/mail-accounts/${id}`,
      headers: t.auth,
      payload: { type: 'POP3S' },
    });
    expect(pop.json()).toMatchObject({ type: 'POP3S', imapFolder: null });
    const imap = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/mail-accounts/${id}`,
      headers: t.auth,
      payload: { type: 'IMAPTLS' },
    });
    expect(imap.json()).toMatchObject({ type: 'IMAPTLS', imapFolder: 'INBOX' });
  });

  it('refuses an empty PATCH', async () => {
    const { id } = (await post(unique())).json();
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/mail-accounts/${id}`,
      headers: t.auth,
      payload: {},
    });
    expect(res.statusCode).toBe(400);
  });

  it.each(['GET', 'PATCH', 'DELETE'] as const)('%s of an unknown id is 404', async (method) => {
    const res = await t.app.inject({
      method,
      url: '/api/v1/mail-accounts/999999',
      headers: t.auth,
      ...(method === 'PATCH' ? { payload: { comment: 'x' } } : {}),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({
      code: 'ACCOUNT_NOT_FOUND',
      message: 'mail account 999999 does not exist',
    });
  });

  it.each(['abc', '0', '-1', '1.5', '99999999999'])('a bad id %j is 400', async (id) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/mail-accounts/${id}`, headers: t.auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('deletes with 204, after which the account is gone', async () => {
    const { id } = (await post(unique())).json();
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/mail-accounts/${id}`, headers: t.auth });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/v1/mail-accounts/${id}`, headers: t.auth })).statusCode,
    ).toBe(404);
  });

  it('writes an audit event per change, naming the token and the fields but no secret', async () => {
    const { id } = (await post(unique({ password: 'audit-secret-1' }))).json();
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/mail-accounts/${id}`,
      headers: t.auth,
      payload: { trusted: true, password: 'audit-secret-2' },
    });
    await t.app.inject({ method: 'DELETE', url: `/api/v1/mail-accounts/${id}`, headers: t.auth });
    const events = await t.deps.prisma.auditEvent.findMany({
      where: { entity: 'mail_account', entityId: String(id) },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['create', 'test-admin'],
      ['update', 'test-admin'],
      ['delete', 'test-admin'],
    ]);
    expect(events[1]!.changes).toEqual({
      trusted: { from: false, to: true },
      password: { secret: true, changed: true },
    });
    expect(JSON.stringify(events)).not.toMatch(/audit-secret/);
  });
});
