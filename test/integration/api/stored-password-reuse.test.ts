import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { startFakeServer, type FakeServer } from '../../helpers/fake-mail-server.js';

// A stored password goes only to the server and user it was stored for.
let t: TestApi;
let stored: FakeServer;
let catcher: FakeServer;
const received: Record<string, string[]> = { stored: [], catcher: [] };
const STORED_PASSWORD = 'Stored-Secret-9471';

function recordingPop3(into: string[]) {
  return {
    onConnect: (s: Socket) => s.write('+OK ready\r\n'),
    onLine: (s: Socket, line: string) => {
      into.push(line);
      const cmd = line.split(' ')[0]!.toUpperCase();
      if (cmd === 'CAPA') s.write('+OK\r\nUSER\r\n.\r\n');
      else if (cmd === 'LIST' || cmd === 'UIDL') s.write('+OK\r\n.\r\n');
      else if (cmd === 'QUIT') s.end('+OK bye\r\n');
      else s.write('+OK\r\n');
    },
  };
}

beforeAll(async () => {
  t = await createTestApi();
  stored = await startFakeServer(recordingPop3(received.stored!));
  catcher = await startFakeServer(recordingPop3(received.catcher!));
});
afterAll(async () => {
  await stored?.close();
  await catcher?.close();
  await t?.close();
});

const post = (url: string, payload?: object) =>
  t.app.inject({ method: 'POST', url, headers: t.auth, ...(payload ? { payload } : {}) });

describe('POST /api/v1/mail-accounts/test with a stored account and no password', () => {
  let id: number;
  beforeAll(async () => {
    id = (
      await post('/api/v1/mail-accounts', {
        type: 'POP3',
        host: '127.0.0.1',
        port: stored.port,
        username: 'desk',
        password: STORED_PASSWORD,
      })
    ).json().id;
  });

  it.each([
    ['another port', () => ({ port: catcher.port })],
    ['another host', () => ({ host: 'localhost', port: catcher.port })],
    ['another user name', () => ({ username: 'someone-else' })],
    ['another type (no TLS where TLS was stored, or the other way round)', () => ({ type: 'POP3TLS' })],
  ])('%s: 400 naming the password; nothing is sent anywhere', async (_name, change) => {
    const before = received.stored!.length + received.catcher!.length;
    const res = await post('/api/v1/mail-accounts/test', {
      accountId: id,
      type: 'POP3',
      host: '127.0.0.1',
      port: stored.port,
      username: 'desk',
      ...change(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([expect.objectContaining({ field: 'password' })]);
    expect(received.stored!.length + received.catcher!.length).toBe(before);
    expect(received.catcher!.join('\n')).not.toContain(STORED_PASSWORD);
  });

  it('the same server and user: the stored password is used, and the test is audited', async () => {
    const res = await post('/api/v1/mail-accounts/test', {
      accountId: id,
      type: 'POP3',
      host: '127.0.0.1',
      port: stored.port,
      username: 'desk',
    });
    expect(res.json()).toMatchObject({ ok: true });
    expect(received.stored).toContain(`PASS ${STORED_PASSWORD}`);
    const audit = await t.deps.prisma.auditEvent.findMany({ where: { entityId: String(id), action: 'test' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe('test-admin');
    expect(JSON.stringify(audit)).not.toContain(STORED_PASSWORD);
  });

  it('test connection, dry run and fetch-now of a stored account are audited', async () => {
    await post(`/api/v1/mail-accounts/${id}/test`);
    await post(`/api/v1/mail-accounts/${id}/dry-run?limit=5`);
    expect((await post(`/api/v1/mail-accounts/${id}/fetch`, {})).statusCode).toBe(202);
    const actions = (
      await t.deps.prisma.auditEvent.findMany({
        where: { entityId: String(id), entity: 'mail_account' },
        orderBy: { id: 'asc' },
      })
    ).map((a) => a.action);
    expect(actions).toEqual(['create', 'test', 'test', 'dry-run', 'fetch-now']);
  });
});
