import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import {
  flood,
  imapScript,
  pop3Script,
  startFakeServer,
  type FakeServer,
  type FakeServerScript,
} from '../helpers/fake-mail-server.js';
import { createFetchWorld, type FetchWorld } from '../helpers/fetch-world.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

let dc: Dovecot;
let w: FetchWorld;
const servers: FakeServer[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  dc = await startDovecot({ users: 6 });
  // Short timeouts (an admin would not wait 2 minutes for a dead server in a test) and a 1 MiB size limit.
  w = await createFetchWorld(
    dc,
    {
      settings: {
        maxMessageBytes: 1024 * 1024,
        fetchLimit: 5000,
        timeouts: { connect: 3000, greeting: 3000, command: 1500 },
      },
    },
    { MAILDUCT_MAX_MESSAGE_BYTES: String(1024 * 1024) },
  );
}, 60_000);
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const p of proxies) await p.close();
  await w?.close();
  await dc?.stop();
});

async function fake(script: FakeServerScript): Promise<number> {
  const s = await startFakeServer(script);
  servers.push(s);
  return s.port;
}

const LITERAL = 'Subject: x\r\n\r\nbody\r\n';

describe('hostile and broken mail servers', () => {
  const cases: [string, 'IMAP' | 'POP3', () => Promise<number>, string[]][] = [
    [
      'IMAP: garbage greeting',
      'IMAP',
      () => fake(imapScript({ greeting: (s) => s.write('\x00\x01\x02 HELLO THIS IS NOT IMAP\r\n') })),
      ['protocol', 'timeout'],
    ],
    [
      'IMAP: truncated literal, connection dropped',
      'IMAP',
      () => fake(imapScript({ onFetchBody: (s) => s.end(`* 1 FETCH (UID 1 BODY[] {5000}\r\n${LITERAL}`) })),
      ['network', 'protocol'],
    ],
    [
      'IMAP: never-ending response line',
      'IMAP',
      () => fake(imapScript({ onSelect: (s) => (flood(s), true) })),
      ['protocol'],
    ],
    [
      'IMAP: a literal far larger than the announced size',
      'IMAP',
      () =>
        fake(
          imapScript({
            size: 100,
            onFetchBody: (s, tag) => (
              s.write('* 1 FETCH (UID 1 BODY[] {2000000}\r\n'),
              s.write('x'.repeat(2_000_000)),
              s.write(`)\r\n${tag} OK done\r\n`)
            ),
          }),
        ),
      ['protocol'],
    ],
    ['IMAP: no answer after login', 'IMAP', () => fake(imapScript({ onSelect: () => true })), ['timeout']],
    [
      'POP3: garbage greeting',
      'POP3',
      () => fake(pop3Script({ greeting: (s) => s.write('HELLO? \x00\xff\r\n') })),
      ['protocol'],
    ],
    [
      'POP3: a greeting line that never ends',
      'POP3',
      () => fake(pop3Script({ greeting: (s) => flood(s) })),
      ['protocol'],
    ],
    [
      'POP3: wrong size, never-ending message',
      'POP3',
      () => fake(pop3Script({ listSize: 100, onRetr: (s) => (s.write('+OK\r\nSubject: x\r\n\r\n'), flood(s)) })),
      ['protocol'],
    ],
    [
      'POP3: message cut off mid-way',
      'POP3',
      () => fake(pop3Script({ onRetr: (s) => s.end(`+OK\r\n${LITERAL}`) })),
      ['network'],
    ],
    ['POP3: silent server', 'POP3', () => fake({ onConnect: () => undefined, onLine: () => undefined }), ['timeout']],
  ];

  it.each(cases)(
    '%s: the run fails with a clear class, nothing stored, the process stays healthy',
    async (_name, type, start, classes) => {
      const port = await start();
      const id = (
        await w.accounts.create(
          { type, host: '127.0.0.1', port, username: `u${port}`, password: 'hostile-password' },
          'test',
        )
      ).id;
      const started = Date.now();
      const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
      expect(outcome.outcome).toBe('failed');
      expect(classes).toContain(outcome.error!.class);
      expect(outcome.error!.message.length).toBeGreaterThan(10);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(await w.runtime.prisma.inboundMessage.count({ where: { accountId: id } })).toBe(0);
    },
  );

  it('other accounts keep being fetched while hostile ones fail, in the same process', async () => {
    const hostile = await fake(pop3Script({ listSize: 100, onRetr: (s) => (s.write('+OK\r\n'), flood(s)) }));
    const bad = (
      await w.accounts.create(
        { type: 'POP3', host: '127.0.0.1', port: hostile, username: 'flood', password: 'p' },
        'test',
      )
    ).id;
    await dc.seed(dc.users[0]!, 20, 2000);
    const good = await w.account('IMAP', dc.users[0]!);
    const [a, b] = await Promise.all([
      w.runtime.service.fetchAccount({ accountId: bad, trigger: 'manual' }),
      w.runtime.service.fetchAccount({ accountId: good, trigger: 'manual' }),
    ]);
    expect(a.outcome).toBe('failed');
    expect(b).toMatchObject({ outcome: 'success', counts: { fetched: 20 } });
    expect(dc.count(dc.users[0]!)).toBe(0);
  });
});

describe('the mail connection cut or slowed down through a proxy', () => {
  it('a cut in the middle of a message fails the run (network); the next run completes; nothing lost', async () => {
    const user = dc.users[1]!;
    await dc.seed(user, 40, 20_000, { prefix: 'cut' });
    const proxy = await startTcpProxy(dc.imapPort);
    proxies.push(proxy);
    const id = await w.account('IMAP', user, { port: proxy.port });
    proxy.cutAfterServerBytes(300_000);
    const first = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(first).toMatchObject({ outcome: 'failed', error: { class: 'network' } });
    proxy.cutAfterServerBytes(null);
    const second = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(second.outcome).toBe('success');
    expect(dc.count(user)).toBe(0);
    const rows = await w.messages(id);
    expect(rows).toHaveLength(40);
    expect((await w.tickets()).filter((t) => t.data.accountId === id)).toHaveLength(40);
  });

  it.each(['IMAP', 'POP3'] as const)(
    '%s: a server that answers too slowly fails the run (timeout); later it completes',
    async (type) => {
      const user = type === 'IMAP' ? dc.users[2]! : dc.users[3]!;
      await dc.seed(user, 5, 1000);
      const proxy = await startTcpProxy(type === 'IMAP' ? dc.imapPort : dc.pop3Port);
      proxies.push(proxy);
      const id = await w.account(type, user, { port: proxy.port });
      proxy.delay(1000); // the greeting arrives within 3 s, but each round trip takes 2 s > 1.5 s
      const slow = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
      expect(slow).toMatchObject({ outcome: 'failed', error: { class: 'timeout' } });
      expect(dc.count(user)).toBe(5);
      proxy.delay(0);
      expect((await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).counts.fetched).toBe(5);
    },
  );
});

describe('a message that crashes parsing or dispatch', () => {
  it('is quarantined with the error; the rest of the mailbox is fetched in the same run', async () => {
    const poisoned = await createFetchWorld(dc, {
      hooks: {
        inspect: (raw) => {
          if (raw.includes('poison message 3')) throw new TypeError('boom: simulated parser crash');
        },
      },
    });
    try {
      const user = dc.users[4]!;
      await dc.seed(user, 6, 1500, { prefix: 'poison' });
      const id = await poisoned.account('POP3', user);
      const outcome = await poisoned.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
      expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 6, dispatched: 5, quarantined: 1 } });
      expect(dc.count(user)).toBe(0);
      const rows = await poisoned.messages(id);
      expect(rows.filter((r) => r.status === 'quarantined')).toEqual([
        expect.objectContaining({ subject: null, error: 'parse or dispatch failed: boom: simulated parser crash' }),
      ]);
      expect((await poisoned.tickets()).filter((t) => t.data.accountId === id)).toHaveLength(5);
    } finally {
      await poisoned.close();
    }
  });
});
