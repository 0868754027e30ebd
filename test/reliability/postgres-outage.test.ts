import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../helpers/fetch-world.js';
import { startChild, waitFor, type Child } from '../helpers/processes.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { enqueueAll, expectExactlyOnce, remaining, waitForDrainInFlight } from './drain-check.js';

const ACCOUNTS = 10;
const PER_ACCOUNT = 200;

let dc: Dovecot;
let w: FetchWorld;
let pgProxy: TcpProxy;
const fetchers: Child[] = [];

beforeAll(async () => {
  dc = await startDovecot({ users: ACCOUNTS });
  // Small runs (MAILDUCT_FETCH_LIMIT), so the drain is still under way when PostgreSQL goes.
  w = await createFetchWorld(
    dc,
    {},
    { MAILDUCT_LOCK_TTL_MS: '3000', MAILDUCT_FETCH_CONCURRENCY: '3', MAILDUCT_FETCH_LIMIT: '40' },
  );
  pgProxy = await startTcpProxy(Number(new URL(w.ctx.databaseUrl).port || 5432));
}, 60_000);
afterAll(async () => {
  for (const f of fetchers) await f.stop('SIGKILL');
  await w?.close();
  await pgProxy?.close();
  await dc?.stop();
});

describe('PostgreSQL becomes unreachable in the middle of a drain', () => {
  // Its own limit, as its waits allow (drain 120 s, locks 30 s): accounts whose run failed back
  // off 24–36 s before they are fetched again, so on a slow machine 60 s was not always enough.
  it('deletes nothing that is not stored; runs fail with class storage and recover', { timeout: 200_000 }, async () => {
    const ids = await w.seedEveryUser(PER_ACCOUNT, 1500, 'pg');
    // The fetchers reach PostgreSQL only through the proxy; the test itself goes direct.
    const viaProxy = new URL(w.ctx.databaseUrl);
    viaProxy.port = String(pgProxy.port);
    const env = { ...w.ctx.env, DATABASE_URL: viaProxy.toString() };
    fetchers.push(await startChild(['--fetcher'], env), await startChild(['--fetcher'], env));
    await enqueueAll(w, ids, 'a');
    await waitForDrainInFlight(w, ids, 300);
    pgProxy.refuse(true);
    pgProxy.cutAll();
    const onServerAtCut = remaining(dc, dc.users);
    const storedAtCut = await w.runtime.prisma.inboundMessage.count();
    await new Promise((r) => setTimeout(r, 4000));
    // While PostgreSQL is away nothing more leaves the servers than what was stored before.
    expect(dc.users.length * PER_ACCOUNT - remaining(dc, dc.users)).toBeLessThanOrEqual(storedAtCut);
    pgProxy.refuse(false);
    let round = 0;
    await waitFor(
      'every mailbox to be empty',
      async () => {
        if (remaining(dc, dc.users) === 0) return true;
        const counts = await w.runtime.queues.fetch.getJobCounts('waiting', 'delayed');
        if ((counts.waiting ?? 0) + (counts.delayed ?? 0) === 0) await enqueueAll(w, ids, `b${round++}`);
        return false;
      },
      120_000,
    );
    await waitFor(
      'every account lock to be free',
      async () => (await Promise.all(ids.map((id) => w.runtime.locks.holder(id)))).every((h) => h === null),
      30_000,
    );
    const totals = await expectExactlyOnce(w, dc, dc.users, PER_ACCOUNT);
    const storageFailures = await w.runtime.prisma.fetchRun.count({ where: { errorClass: 'storage' } });
    expect(storageFailures).toBeGreaterThan(0);
    expect(await w.runtime.prisma.fetchRun.count({ where: { outcome: 'running' } })).toBe(0);
    console.info(
      `postgres-outage: cut with ${onServerAtCut} messages on the servers and ${storedAtCut} stored; ${storageFailures} runs failed with class storage; afterwards ${totals.rows} stored once, ${totals.tickets} tickets`,
    );
  });
});
