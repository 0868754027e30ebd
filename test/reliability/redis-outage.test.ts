import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../helpers/fetch-world.js';
import { startChild, waitFor, type Child } from '../helpers/processes.js';
import { ownRedis, type OwnRedis } from '../helpers/redis-server.js';
import { enqueueAll, expectExactlyOnce, remaining, waitForDrainInFlight } from './drain-check.js';

const ACCOUNTS = 10;
const PER_ACCOUNT = 200;

let dc: Dovecot;
let redis: OwnRedis;
let w: FetchWorld;
const fetchers: Child[] = [];

beforeAll(async () => {
  [dc, redis] = await Promise.all([startDovecot({ users: ACCOUNTS }), ownRedis()]);
  // Small runs (MAILDUCT_FETCH_LIMIT), so the drain is still under way when Redis goes.
  w = await createFetchWorld(
    dc,
    {},
    { REDIS_URL: redis.url, MAILDUCT_LOCK_TTL_MS: '3000', MAILDUCT_FETCH_CONCURRENCY: '3', MAILDUCT_FETCH_LIMIT: '40' },
  );
}, 60_000);
afterAll(async () => {
  for (const f of fetchers) await f.stop('SIGKILL');
  await w?.close();
  await redis?.remove();
  await dc?.stop();
});

/** Retry a Redis call of the test itself while the server is away. */
async function retry<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('Redis stops in the middle of a drain and comes back', () => {
  // Its own limit, as its waits allow (drain 120 s, locks 30 s): accounts whose run failed back
  // off 24–36 s before they are fetched again, so on a slow machine 60 s was not always enough.
  it('fetchers reconnect and finish; nothing lost or doubled', { timeout: 200_000 }, async () => {
    const ids = await w.seedEveryUser(PER_ACCOUNT, 1500, 'redis');
    fetchers.push(await startChild(['--fetcher'], w.ctx.env), await startChild(['--fetcher'], w.ctx.env));
    await enqueueAll(w, ids, 'a');
    await waitForDrainInFlight(w, ids, 300);
    await redis.kill();
    const storedWhileDown = await w.runtime.prisma.inboundMessage.count();
    await new Promise((r) => setTimeout(r, 3000));
    // Nothing may have left a server unless it is stored and its ticket enqueued.
    const stored = await w.runtime.prisma.inboundMessage.count({
      where: { deletedOnServerAt: { not: null }, enqueuedAt: null },
    });
    expect(stored).toBe(0);
    await redis.start();
    let round = 0;
    await waitFor(
      'every mailbox to be empty',
      async () => {
        if (remaining(dc, dc.users) === 0) return true;
        const counts = await retry(() => w.runtime.queues.fetch.getJobCounts('waiting', 'delayed'));
        if ((counts.waiting ?? 0) + (counts.delayed ?? 0) === 0) await retry(() => enqueueAll(w, ids, `b${round++}`));
        return false;
      },
      120_000,
    );
    await waitFor(
      'every account lock to be free',
      async () =>
        (await Promise.all(ids.map((id) => retry(() => w.runtime.locks.holder(id))))).every((h) => h === null),
      30_000,
    );
    const totals = await expectExactlyOnce(w, dc, dc.users, PER_ACCOUNT);
    for (const f of fetchers) expect(f.proc.exitCode).toBeNull(); // still running
    console.info(
      `redis-outage: ${storedWhileDown} stored when Redis went away for 3 s; afterwards ${totals.rows} stored once, ${totals.tickets} tickets`,
    );
  });
});
