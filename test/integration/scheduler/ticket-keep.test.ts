import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { startHousekeeping } from '@mailduct/scheduler';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';

// MAILDUCT_TICKET_KEEP_HOURS bounds how long completed ticket jobs stay in Redis (at millions of
// mails a day the week-long default is gigabytes): the fetcher and the outbox sweep both use it.
let dc: Dovecot;
let w: FetchWorld;
beforeAll(async () => {
  dc = await startDovecot({ users: 1, noTls: true });
  w = await createFetchWorld(dc, {}, { MAILDUCT_TICKET_KEEP_HOURS: '2' });
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

describe('MAILDUCT_TICKET_KEEP_HOURS', () => {
  it('is the completed-job retention of every ticket job, enqueued by a run or by the sweep', async () => {
    await dc.seed(dc.users[0]!, 2, 1000);
    const id = await w.account('POP3', dc.users[0]!);
    await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    const tickets = w.runtime.infra.workerQueues.tickets;
    const jobs = await tickets.getJobs(['waiting']);
    expect(jobs.map((j) => j.opts.removeOnComplete)).toEqual([{ age: 7200 }, { age: 7200 }]);

    await jobs[0]!.remove();
    const housekeeping = startHousekeeping(w.runtime.infra, createLogger({ level: 'silent' }), { sweepAfterMs: 0 });
    expect((await housekeeping.runOnce()).requeued).toBe(1);
    await housekeeping.close();
    expect((await tickets.getJob(jobs[0]!.id!))?.opts.removeOnComplete).toEqual({ age: 7200 });
  });
});
