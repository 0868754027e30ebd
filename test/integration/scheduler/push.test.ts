import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { WatchLeases, type WatchInfo } from '@mailduct/core/push';
import { redisKeys } from '@mailduct/core/redis';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { startChild, waitFor } from '../../helpers/processes.js';
import { startTestFetcher, type TestFetcher } from '../../helpers/runtime.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.js';

// IMAP IDLE: a pushed account's mail is fetched within seconds, with no poll due (no scheduler
// runs here at all). Real Dovecot; one without IDLE for the fallback.
let dc: Dovecot;
let noIdle: Dovecot;
let w: FetchWorld;
let fetcher: TestFetcher;
let proxy: TcpProxy;
let leases: WatchLeases;
let next = 0;
beforeAll(async () => {
  [dc, noIdle] = await Promise.all([startDovecot({ users: 10, noTls: true }), startDovecot({ users: 1, noTls: true })]);
  await noIdle.configure('protocol imap {\n  imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE UIDPLUS MOVE\n}');
  proxy = await startTcpProxy(dc.imapPort);
  w = await createFetchWorld(dc);
  fetcher = await startTestFetcher(w.ctx.config, createLogger({ level: 'silent' }));
  leases = new WatchLeases(w.runtime.redis, w.ctx.prefix, 0);
}, 60_000);
afterAll(async () => {
  await fetcher?.close().catch(() => undefined);
  await w?.close();
  await proxy?.close();
  await Promise.all([dc?.stop(), noIdle?.stop()]);
});

const user = () => dc.users[next++]!;
const ticketsOf = async (id: number) => (await w.tickets()).filter((t) => t.data.accountId === id);

async function watched(id: number, state: WatchInfo['state'] = 'watching', timeoutMs = 10_000): Promise<WatchInfo> {
  let info: WatchInfo | null = null;
  await waitFor(
    `account ${id} to be ${state}`,
    async () => (info = await leases.read(id))?.state === state,
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(info)}`);
  });
  return info!;
}

describe('push (IMAP IDLE)', () => {
  it('a delivered mail has its ticket job within 5 s, with no poll due', async () => {
    const u = user();
    const id = await w.account('IMAP', u, { push: true });
    expect(await watched(id)).toMatchObject({ owner: expect.stringMatching(/:\d+$/), reason: null });
    await dc.seed(u, 1, 1500, { prefix: 'pushed' });
    const delivered = Date.now();
    await waitFor('the ticket job', async () => (await ticketsOf(id)).length === 1, 5_000);
    expect(Date.now() - delivered).toBeLessThan(5_000);
    // deleted on the server right after its ticket job was added
    await waitFor('the mail to leave the server', () => dc.count(u) === 0, 5_000);
    // the run counted its latency from IDLE's notice (mailduct_push_latency_seconds)
    await waitFor(
      'the latency to be counted',
      async () => {
        const c = await w.runtime.prisma.fetchCounter.findUnique({
          where: { accountId_name: { accountId: 0, name: 'push_latency_count' } },
        });
        return Number(c?.value ?? 0) >= 1;
      },
      5_000,
    );
  });

  it('a burst of 100 mails is a few runs and 100 tickets, each once', async () => {
    const u = user();
    const id = await w.account('IMAP', u, { push: true });
    await watched(id);
    const before = await w.runtime.prisma.fetchRun.count({ where: { accountId: id } });
    await dc.seed(u, 100, 1200, { prefix: 'burst' });
    await waitFor('100 tickets', async () => (await ticketsOf(id)).length === 100, 20_000);
    const runs = await w.runtime.prisma.fetchRun.findMany({ where: { accountId: id }, skip: before });
    expect(runs.filter((r) => r.fetched > 0).length).toBeLessThanOrEqual(4);
    expect(runs.every((r) => r.trigger === 'push')).toBe(true);
    expect(await w.messages(id)).toHaveLength(100);
  });

  it('reconnects after the connection is cut, and still pushes', async () => {
    const u = user();
    const id = await w.account('IMAP', u, { push: true, port: proxy.port });
    await watched(id);
    proxy.cutAll();
    await waitFor('the watcher to notice', async () => (await leases.read(id))?.state !== 'watching', 3_000).catch(
      () => undefined, // it may already be back
    );
    await watched(id, 'watching', 15_000);
    await dc.seed(u, 1, 1000, { prefix: 'after-cut' });
    await waitFor('the ticket job', async () => (await ticketsOf(id)).length === 1, 10_000);
  });

  it('reconnects after Dovecot restarts, and still pushes', { timeout: 60_000 }, async () => {
    const u = user();
    const id = await w.account('IMAP', u, { push: true });
    await watched(id);
    const reconnects = async () => Number((await w.runtime.redis.get(redisKeys.pushReconnects(w.ctx.prefix))) ?? 0);
    const before = await reconnects();
    await dc.restart();
    await waitFor('the watcher to reconnect', async () => (await reconnects()) > before, 15_000);
    await watched(id, 'watching', 20_000);
    await dc.seed(u, 1, 1000, { prefix: 'after-restart' });
    await waitFor('the ticket job', async () => (await ticketsOf(id)).length === 1, 10_000);
  });

  it('a server without IDLE: the account is polled, and its state says why', async () => {
    const view = await w.accounts.create(
      {
        type: 'IMAP',
        host: 'localhost',
        port: noIdle.imapPort,
        username: noIdle.users[0]!,
        password: noIdle.password,
        push: true,
      },
      'test',
    );
    const info = await watched(view.id, 'unsupported');
    expect(info.reason).toContain('does not offer IDLE');
  });

  it('push turned off: the watch ends within seconds and new mail waits for the poll', async () => {
    const u = user();
    const id = await w.account('IMAP', u, { push: true });
    await watched(id);
    await w.accounts.update(id, { push: false }, 'test');
    await waitFor('the lease to be released', async () => (await leases.read(id)) === null, 8_000);
    await dc.seed(u, 1, 1000, { prefix: 'not-pushed' });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await ticketsOf(id)).toHaveLength(0);
    expect(dc.count(u)).toBe(1);
  });

  it(
    'SIGKILL the watching fetcher: another one takes the account over, and mail still arrives',
    { timeout: 90_000 },
    async () => {
      const u = user();
      const env = { ...w.ctx.env, MAILDUCT_WATCHERS_PER_PROCESS: '500' };
      // the in-process fetcher stops watching: two child processes share the account from now on
      await fetcher.close();
      const children = [await startChild(['--fetcher'], env), await startChild(['--fetcher'], env)];
      try {
        const id = await w.account('IMAP', u, { push: true });
        const first = await watched(id, 'watching', 15_000);
        const victim = children.find((c) => first.owner.endsWith(`:${c.proc.pid}`))!;
        expect(victim).toBeDefined();
        await victim.stop('SIGKILL');
        const killedAt = Date.now();
        await waitFor(
          'another process to watch',
          async () => {
            const now = await leases.read(id);
            return now?.state === 'watching' && now.owner !== first.owner;
          },
          35_000,
        );
        await dc.seed(u, 1, 1000, { prefix: 'after-kill' });
        await waitFor('the ticket job', async () => (await ticketsOf(id)).length === 1, 10_000);
        expect(Date.now() - killedAt).toBeLessThan(35_000);
      } finally {
        for (const c of children) await c.stop('SIGKILL');
      }
    },
  );

  it(
    'watchers count against MAILDUCT_MAX_CONNECTIONS_PER_HOST, leave the last connection to fetching, and the session limit',
    { timeout: 90_000 },
    async () => {
      // The in-process fetcher is closed (above); only these two processes watch, and only these accounts.
      await w.runtime.prisma.mailAccount.updateMany({ data: { push: false } });
      const small = await startChild(['--fetcher'], { ...w.ctx.env, MAILDUCT_MAX_CONNECTIONS_PER_HOST: '2' });
      const children = [small];
      try {
        // Two folders, one connection free for watchers: INBOX is watched, Support waits.
        const u = user();
        await dc.seed(u, 1, 900, { folder: 'Support', prefix: 'support' });
        const id = await w.account('IMAP', u, { push: true, imapFolders: ['INBOX', 'Support'] });
        const waiting = await watched(id, 'waiting', 15_000);
        expect(waiting.reason).toMatch(
          /^Support: no connection to localhost is free in this process \(MAILDUCT_MAX_CONNECTIONS_PER_HOST=2, the last kept for fetching\)/,
        );
        // The fetch gets the connection the watcher left: INBOX's new mail (and Support's) arrives.
        await dc.seed(u, 1, 1000, { prefix: 'inbox' });
        await waitFor('both tickets', async () => (await ticketsOf(id)).length === 2, 10_000);

        // This process has no connection left for another account: it leaves it to a process that has.
        const id2 = await w.account('IMAP', user(), { push: true });
        await new Promise((r) => setTimeout(r, 5000));
        expect(await leases.read(id2)).toBeNull();
        const roomy = await startChild(['--fetcher'], { ...w.ctx.env, MAILDUCT_SESSIONS_PER_MAILBOX: '2' });
        children.push(roomy);
        expect((await watched(id2, 'watching', 15_000)).owner).toMatch(new RegExp(`:${roomy.proc.pid}$`));

        // Two sessions per mailbox: one folder watched, the others polled, and the state says so.
        const u3 = user();
        for (const folder of ['Support', 'Sales']) await dc.seed(u3, 1, 900, { folder, prefix: folder });
        const id3 = await w.account('IMAP', u3, { push: true, imapFolders: ['INBOX', 'Support', 'Sales'] });
        const partial = await watched(id3, 'watching', 15_000);
        expect(partial.reason).toMatch(/^1 of 3 folders watched; Support, Sales polled: the mailbox allows 2 sessions/);
      } finally {
        for (const c of children) await c.stop('SIGKILL');
      }
    },
  );

  it('POP3 cannot push', async () => {
    await expect(w.account('POP3', user(), { push: true })).rejects.toMatchObject({
      details: [{ field: 'push', problem: expect.stringContaining('IMAP') }],
    });
  });
});
