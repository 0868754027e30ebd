import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS } from '@mailduct/core/jobs';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { startChild, waitFor } from '../../helpers/processes.js';

let dc: Dovecot;
let w: FetchWorld;
beforeAll(async () => {
  dc = await startDovecot({ users: 1 });
  w = await createFetchWorld(dc);
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

describe('graceful shutdown', () => {
  it('SIGTERM with a job in flight: stops taking jobs, commits what is stored, releases the lock, exits 0 within 30 s', async () => {
    const user = dc.users[0]!;
    await dc.seed(user, 4000, 3000, { prefix: 'shutdown' });
    const id = await w.account('IMAP', user);
    const child = await startChild(['--fetcher'], w.ctx.env);
    await w.runtime.queues.fetch.add(
      JOBS.fetchAccount.name,
      { accountId: id, trigger: 'manual' },
      { jobId: 'shutdown-1' },
    );
    await waitFor(
      'the run to be under way',
      async () => (await w.runtime.prisma.inboundMessage.count({ where: { accountId: id } })) >= 200,
      30_000,
    );
    const started = Date.now();
    const stopping = child.stop('SIGTERM');
    // A job that arrives while the fetcher shuts down is left for another one. (Added before the
    // SIGTERM, the fetcher would take it and complete it as skipped, the first run holding the lock.)
    await waitFor('the fetcher to begin shutting down', () => child.output().includes('shutting down'), 10_000);
    await w.runtime.queues.fetch.add(
      JOBS.fetchAccount.name,
      { accountId: id, trigger: 'manual' },
      { jobId: 'shutdown-2' },
    );
    const code = await stopping;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await w.runtime.locks.holder(id)).toBeNull();
    const run = await w.runtime.prisma.fetchRun.findFirstOrThrow({ where: { accountId: id } });
    expect(run).toMatchObject({
      outcome: 'failed',
      errorClass: 'timeout',
      errorMessage: 'stopped early: shutting down',
    });
    // Nothing lost: what left the server is stored and enqueued; the rest is still there.
    const rows = await w.runtime.prisma.inboundMessage.findMany({
      where: { accountId: id },
      select: { id: true, deletedOnServerAt: true, enqueuedAt: true },
    });
    const deleted = rows.filter((r) => r.deletedOnServerAt);
    expect(deleted.length).toBeGreaterThan(0);
    expect(deleted.every((r) => r.enqueuedAt)).toBe(true);
    expect(dc.count(user)).toBe(4000 - deleted.length);
    expect(await w.runtime.queues.fetch.getJobState('shutdown-2')).toBe('waiting'); // not taken by the stopping fetcher
    // The next run picks up the rest without doubling anything.
    expect((await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).outcome).toBe('success');
    expect(dc.count(user)).toBe(0);
    const all = await w.runtime.prisma.inboundMessage.findMany({
      where: { accountId: id },
      select: { messageIdHeader: true },
    });
    expect(all).toHaveLength(4000);
    expect(new Set(all.map((r) => r.messageIdHeader)).size).toBe(4000);
    const tickets = (await w.tickets()).filter((t) => t.data.accountId === id);
    expect(tickets).toHaveLength(4000);
  });
});
