import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullPrefix, enqueueFetchNow } from '@mailduct/core/jobs';
import { createLogger } from '@mailduct/core/log';
import { WatchLeases } from '@mailduct/core/push';
import { startHousekeeping } from '@mailduct/scheduler';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createTestApi } from '../../helpers/api.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { waitFor } from '../../helpers/processes.js';
import { startTestFetcher, startTestScheduler } from '../../helpers/runtime.js';
import { ownCluster, type OwnCluster } from '../../helpers/redis-cluster.js';

// A real Redis Cluster (six redis-server processes, three primaries with a replica each,
// REDIS_URL=redis+cluster://…): BullMQ's queues each in their own hash slot, mailduct's locks
// and leases spread over the others. The scheduler, the API and the fetch path run on it; the
// primary of the tickets queue's slot is SIGKILLed during a drain and its replica promoted: no
// mail lost, no ticket doubled (what the dead primary took but had not replicated is enqueued
// again by the outbox sweep: PostgreSQL is the truth).
let dc: Dovecot;
let cluster: OwnCluster;
let w: FetchWorld;
/** Called after each batch's ticket jobs are in Redis, before the server is told anything. */
let afterEnqueue: ((ids: readonly number[]) => Promise<void>) | null = null;
beforeAll(async () => {
  [dc, cluster] = await Promise.all([startDovecot({ users: 2, noTls: true }), ownCluster()]);
  w = await createFetchWorld(
    dc,
    { hooks: { afterEnqueue: (ids) => afterEnqueue?.(ids) } },
    { REDIS_URL: cluster.url, MAILDUCT_LOCK_TTL_MS: '3000' },
  );
}, 60_000);
afterAll(async () => {
  await w?.close();
  await cluster?.close();
  await dc?.stop();
});

const info = { owner: 'test', since: new Date(0).toISOString(), state: 'connecting' as const, reason: null };

describe('Redis Cluster', () => {
  it('keeps each queue in a slot of its own', async () => {
    const { fetch, tickets } = w.runtime.infra.workerQueues;
    expect(fetch.opts.prefix).toBe(`{${w.ctx.prefix}:fetch}`);
    expect(tickets.opts.prefix).toBe(bullPrefix(w.ctx.prefix, 'tickets', true));
    const slot = (key: string) => w.runtime.infra.workerRedis.cluster('KEYSLOT', key);
    expect(await slot(`${fetch.opts.prefix}:fetch:wait`)).toBe(await slot(`${fetch.opts.prefix}:fetch:meta`));
    expect(await slot(`${fetch.opts.prefix}:fetch:wait`)).not.toBe(await slot(`${tickets.opts.prefix}:tickets:wait`));
  });

  it('runs the scheduler, a fetcher worker and the API', async () => {
    const user = dc.users[1]!;
    const id = await w.account('POP3', user);
    await dc.seed(user, 3, 1000, { prefix: 'worker' });
    const silent = createLogger({ level: 'silent' });
    const scheduler = await startTestScheduler(w.ctx.config, silent, { reconcileMs: 300 });
    const fetcher = await startTestFetcher(w.ctx.config, silent);
    try {
      await waitFor(
        'the job scheduler of the account',
        async () => (await w.runtime.queues.fetch.getJobScheduler(`account:${id}`)) !== undefined,
        10_000,
      );
      await enqueueFetchNow(w.runtime.queues.fetch, id);
      await waitFor('the worker to drain the mailbox', () => dc.count(user) === 0, 20_000);
      expect(await w.runtime.infra.workerQueues.tickets.getWaitingCount()).toBe(3);
    } finally {
      await Promise.all([scheduler.close(), fetcher.close()]);
    }
    const api = await createTestApi({ REDIS_URL: cluster.url });
    try {
      expect((await api.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
        api.app.inject({ method, url: `/api/v1${url}`, headers: api.auth, ...(payload ? { payload } : {}) });
      // A change is announced (a counter and a channel), a fetch-now job queued and read back.
      const created = await call('POST', '/mail-accounts', {
        type: 'IMAP',
        host: 'mail.example.org',
        username: 'desk',
        password: 's3cret-Passw0rd',
      });
      expect(created.statusCode).toBe(201);
      const job = await call('POST', `/mail-accounts/${created.json().id}/fetch`);
      expect(job.statusCode).toBe(202);
      expect((await call('GET', job.json().status.replace('/api/v1', ''))).statusCode).toBe(200);
      expect((await call('GET', '/mail-accounts?limit=10')).json().items).toHaveLength(1);
    } finally {
      await api.close();
    }
    await w.runtime.prisma.mailAccount.delete({ where: { id } });
  });

  it('renews and reads watch leases that live on different primaries', async () => {
    const leases = new WatchLeases(w.runtime.infra.workerRedis, w.ctx.prefix, 10_000);
    const ids = Array.from({ length: 60 }, (_, i) => 900_000 + i);
    for (const id of ids) expect(await leases.acquire(id, info)).toBe(true);
    const owners = new Set(
      await Promise.all(ids.map(async (id) => (await cluster.primaryOf(`${w.ctx.prefix}:push:watch:${id}`)).port)),
    );
    expect(owners.size).toBe(3);
    expect(await leases.renewMany(ids.map((id) => [id, { ...info, state: 'watching' as const }]))).toEqual(
      ids.map(() => true),
    );
    expect((await leases.readMany(ids)).map((l) => l?.state)).toEqual(ids.map(() => 'watching'));
    for (const id of ids) await leases.release(id);
  });

  it('drains a mailbox through a failover of the tickets queue primary, losing and doubling nothing', async () => {
    const user = dc.users[0]!;
    const id = await w.account('IMAP', user);
    const tickets = w.runtime.infra.workerQueues.tickets;
    const primary = await cluster.primaryOf(`${tickets.opts.prefix}:tickets:wait`);
    const replica = await cluster.replicaOf(`${tickets.opts.prefix}:tickets:wait`);
    await dc.seed(user, 250, 2000, { prefix: 'drain' });
    let enqueued = 0;
    afterEnqueue = async (ids) => {
      enqueued += ids.length;
      if (enqueued < 10 || !primary.running()) return;
      await primary.kill();
    };
    // The first run fails on its next batch (its tickets' primary is gone) or waits out the failover.
    await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    afterEnqueue = null;
    expect(primary.running()).toBe(false);
    await waitFor(
      'the replica to take the slot over',
      async () => (await cluster.primaryOf(`${tickets.opts.prefix}:tickets:wait`)).port === replica.port,
      30_000,
    );
    // Until the process has found the new primary a run may fail: runs go on until one succeeds.
    await waitFor(
      'a run that empties the mailbox',
      async () => (await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).outcome === 'success',
      60_000,
    );
    expect(dc.count(user)).toBe(0);
    const housekeeping = startHousekeeping(w.runtime.infra, createLogger({ level: 'silent' }), { sweepAfterMs: 0 });
    await housekeeping.runOnce();
    await housekeeping.close();
    const stored = await w.messages(id);
    expect(stored).toHaveLength(250);
    const jobs = (await tickets.getJobs(['waiting'])).filter((j) => j.data.accountId === id);
    expect(jobs).toHaveLength(250);
    expect(new Set(jobs.map((j) => (j.data as { messageId: number }).messageId))).toEqual(
      new Set(stored.map((m) => Number(m.id))),
    );
  }, 180_000);
});
