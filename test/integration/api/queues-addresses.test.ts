import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';

let t: TestApi;
beforeAll(async () => {
  t = await createTestApi();
});
afterAll(async () => t?.close());

const req = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth, payload });

describe('/api/v1/queues', () => {
  it('lists the four seeded OTOBO queues', async () => {
    const res = await req('GET', '/api/v1/queues');
    expect(res.json().items.map((q: { name: string }) => q.name)).toEqual(['Junk', 'Misc', 'Postmaster', 'Raw']);
  });

  it('creates, renames and deletes a queue', async () => {
    const created = await req('POST', '/api/v1/queues', { name: 'Billing', comment: 'invoices' });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    expect((await req('PATCH', `/api/v1/queues/${id}`, { name: 'Accounting' })).json().name).toBe('Accounting');
    expect((await req('DELETE', `/api/v1/queues/${id}`)).statusCode).toBe(204);
    expect((await req('GET', `/api/v1/queues/${id}`)).statusCode).toBe(404);
  });

  it('refuses a duplicate name, case-insensitively', async () => {
    const res = await req('POST', '/api/v1/queues', { name: 'raw' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('QUEUE_EXISTS');
  });

  it('refuses to delete a queue in use, saying by what', async () => {
    const q = (await req('POST', '/api/v1/queues', { name: 'Support' })).json();
    const account = (
      await req('POST', '/api/v1/mail-accounts', {
        type: 'IMAP',
        host: 'x.example.com',
        username: 'u',
        password: 'p',
        dispatch: { by: 'queue', queueId: q.id },
      })
    ).json();
    await req('POST', '/api/v1/system-addresses', { address: 'help@example.com', queueId: q.id });
    const res = await req('DELETE', `/api/v1/queues/${q.id}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: 'QUEUE_IN_USE',
      message: `queue "Support" is in use by mail account ${account.id} and system address help@example.com`,
    });
  });

  it('refuses to delete or rename the default queue', async () => {
    const raw = (await req('GET', '/api/v1/queues?q=raw')).json().items[0];
    expect((await req('DELETE', `/api/v1/queues/${raw.id}`)).json().error.message).toMatch(/default queue setting/);
    expect((await req('PATCH', `/api/v1/queues/${raw.id}`, { name: 'Inbox' })).statusCode).toBe(409);
  });
});

describe('/api/v1/system-addresses', () => {
  it('stores the address lower-case and refuses a case variant', async () => {
    const created = await req('POST', '/api/v1/system-addresses', {
      address: 'Sales@Example.COM',
      displayName: 'Sales',
      queueId: 2,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ address: 'sales@example.com', queueName: 'Raw', valid: true });
    const dup = await req('POST', '/api/v1/system-addresses', { address: 'SALES@example.com', queueId: 3 });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('ADDRESS_EXISTS');
  });

  it('needs an existing queue and a real address', async () => {
    expect(
      (await req('POST', '/api/v1/system-addresses', { address: 'a@example.com', queueId: 999 })).json().error.details,
    ).toEqual([{ field: 'queueId', problem: 'queue 999 does not exist' }]);
    expect(
      (await req('POST', '/api/v1/system-addresses', { address: 'not-an-address', queueId: 1 })).json().error.details[0]
        .field,
    ).toBe('address');
  });

  it('moves an address to another queue and deletes it', async () => {
    const { id } = (await req('POST', '/api/v1/system-addresses', { address: 'move@example.com', queueId: 1 })).json();
    expect((await req('PATCH', `/api/v1/system-addresses/${id}`, { queueId: 4, valid: false })).json()).toMatchObject({
      queueId: 4,
      queueName: 'Misc',
      valid: false,
    });
    expect((await req('GET', '/api/v1/system-addresses?includeInvalid=false&q=move')).json().total).toBe(0);
    expect((await req('DELETE', `/api/v1/system-addresses/${id}`)).statusCode).toBe(204);
    expect((await req('DELETE', `/api/v1/system-addresses/${id}`)).statusCode).toBe(404);
  });
});
