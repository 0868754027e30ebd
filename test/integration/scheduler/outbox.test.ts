import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { createRedis } from '@mailduct/core/redis';
import { startHousekeeping, type Housekeeping } from '@mailduct/scheduler';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { waitFor } from '../../helpers/processes.js';

let dc: Dovecot;
let w: FetchWorld;
let housekeeping: Housekeeping;
beforeAll(async () => {
  dc = await startDovecot({ users: 1 });
  w = await createFetchWorld(dc);
  housekeeping = startHousekeeping(w.runtime.infra, createLogger({ level: 'silent' }), {
    everyMs: 3_600_000,
    sweepAfterMs: 0,
  });
});
afterAll(async () => {
  await housekeeping?.close();
  await w?.close();
  await dc?.stop();
});

describe('PostgreSQL as the source of truth for tickets', () => {
  it('records consumed tickets, re-enqueues tickets Redis lost under the same id, and expires raw mail', async () => {
    await dc.seed(dc.users[0]!, 5, 1500);
    const id = await w.account('IMAP', dc.users[0]!);
    await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    const rows = await w.messages(id);
    const original = new Map((await w.tickets()).map((t) => [t.id, t.data]));
    expect(original.size).toBe(5);

    // The ticket system consumes one ticket.
    const connection = createRedis(w.ctx.config.redisUrl, { forWorker: true });
    const consumer = new Worker('tickets', async () => 'ok', {
      connection,
      prefix: w.ctx.prefix,
      concurrency: 1,
      limiter: { max: 1, duration: 60_000 },
    });
    await waitFor(
      'one ticket to be consumed',
      async () => (await w.runtime.prisma.inboundMessage.count({ where: { consumedAt: { not: null } } })) === 1,
      15_000,
    );
    await consumer.close();
    connection.disconnect();

    // Redis loses two tickets that nobody consumed yet.
    const waiting = await w.runtime.queues.tickets.getJobs(['waiting', 'prioritized']);
    const lost = waiting.slice(0, 2).map((j) => j.id!);
    for (const jobId of lost) await w.runtime.queues.tickets.remove(jobId);
    const result = await housekeeping.runOnce();
    expect(result).toMatchObject({ requeued: 2 });
    for (const jobId of lost) expect((await w.runtime.queues.tickets.getJob(jobId))?.data).toEqual(original.get(jobId));
    expect((await w.tickets()).length).toBe(5);
    expect((await housekeeping.runOnce()).requeued).toBe(0); // nothing doubled on the next sweep

    // Retention: raw mail of a ticket consumed long ago goes; the row stays.
    const consumed = await w.runtime.prisma.inboundMessage.findFirstOrThrow({ where: { consumedAt: { not: null } } });
    await w.runtime.prisma.inboundMessage.update({
      where: { id: consumed.id },
      data: { receivedAt: new Date(Date.now() - 41 * 86_400_000), consumedAt: new Date(Date.now() - 40 * 86_400_000) },
    });
    expect((await housekeeping.runOnce()).expired).toBe(1);
    const after = await w.runtime.prisma.inboundMessage.findUniqueOrThrow({ where: { id: consumed.id } });
    expect(after.raw).toBeNull();
    expect(after.status).toBe('dispatched');
    expect(await w.runtime.prisma.inboundMessage.count({ where: { raw: { not: null } } })).toBe(rows.length - 1);
  });
});
