import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { startHousekeeping } from '@mailduct/scheduler';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createTestApi } from '../../helpers/api.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { waitFor } from '../../helpers/processes.js';
import { startTestScheduler } from '../../helpers/runtime.js';
import { ownSentinel, type OwnSentinel } from '../../helpers/redis-sentinel.js';

// Redis behind Sentinel (REDIS_URL=redis+sentinel://…): the scheduler, the API and the fetch
// path run on the primary Sentinel names; the primary is SIGKILLed, Sentinel promotes the
// replica, and the next runs go to the new primary. No mail is lost and no ticket doubled: a
// ticket the old primary took but had not replicated is enqueued again by the outbox sweep
// (PostgreSQL is the truth).
let dc: Dovecot;
let redis: OwnSentinel;
let w: FetchWorld;
beforeAll(async () => {
  [dc, redis] = await Promise.all([startDovecot({ users: 1, noTls: true }), ownSentinel()]);
  w = await createFetchWorld(dc, {}, { REDIS_URL: redis.url, MAILDUCT_LOCK_TTL_MS: '2000' });
}, 60_000);
afterAll(async () => {
  await w?.close();
  await redis?.close();
  await dc?.stop();
});

describe('Redis Sentinel', () => {
  it('runs the scheduler and the API on the primary Sentinel names', async () => {
    const id = await w.account('POP3', dc.users[0]!);
    const scheduler = await startTestScheduler(w.ctx.config, createLogger({ level: 'silent' }), { reconcileMs: 300 });
    try {
      await waitFor(
        'the job scheduler of the account',
        async () => (await w.runtime.queues.fetch.getJobScheduler(`account:${id}`)) !== undefined,
        10_000,
      );
    } finally {
      await scheduler.close();
    }
    const api = await createTestApi({ REDIS_URL: redis.url });
    try {
      const ready = await api.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
    } finally {
      await api.close();
    }
    await w.runtime.prisma.mailAccount.delete({ where: { id } });
  });

  it('fetches through a failover of the primary, losing and doubling no ticket', async () => {
    const user = dc.users[0]!;
    const id = await w.account('IMAP', user);
    const tickets = w.runtime.infra.workerQueues.tickets;
    const run = () => w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    await dc.seed(user, 5, 2000, { prefix: 'before' });
    expect(await run()).toMatchObject({ outcome: 'success', counts: { fetched: 5, dispatched: 5 } });
    expect(await tickets.getWaitingCount()).toBe(5);

    await redis.primary.kill();
    await waitFor(
      'Sentinel to promote the replica',
      async () => (await redis.primaryPort()) === redis.replica.port,
      30_000,
    );
    await dc.seed(user, 5, 2000, { prefix: 'after' });
    // Until the process has found the new primary a run may fail (its storage is away): runs go on.
    await waitFor('a run on the new primary', async () => (await run()).outcome === 'success', 30_000);
    expect(dc.count(user)).toBe(0);
    const housekeeping = startHousekeeping(w.runtime.infra, createLogger({ level: 'silent' }), { sweepAfterMs: 0 });
    await housekeeping.runOnce();
    await housekeeping.close();
    const stored = await w.messages(id);
    expect(stored).toHaveLength(10);
    const jobs = await tickets.getJobs(['waiting']);
    expect(new Set(jobs.map((j) => (j.data as { messageId: number }).messageId))).toEqual(
      new Set(stored.map((m) => Number(m.id))),
    );
    expect(jobs).toHaveLength(10);
  }, 120_000);
});
