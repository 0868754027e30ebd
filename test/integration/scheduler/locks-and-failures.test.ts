import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processFetchJob } from '@mailduct/fetcher';
import { announceAccountChange } from '@mailduct/core/events';
import { HostBudget } from '@mailduct/core/fetch';
import { createLogger } from '@mailduct/core/log';
import type { Job } from 'bullmq';
import type { FetchJobData } from '@mailduct/core/jobs';
import { spawnCli } from '../../helpers/cli.js';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { waitFor } from '../../helpers/processes.js';
import { startTestScheduler, type TestScheduler } from '../../helpers/runtime.js';

let dc: Dovecot;
let w: FetchWorld;
let scheduler: TestScheduler;
beforeAll(async () => {
  dc = await startDovecot({ users: 4 });
  w = await createFetchWorld(dc, {}, { MAILDUCT_LOCK_TTL_MS: '1500', MAILDUCT_PARK_AFTER_AUTH_FAILURES: '3' });
  scheduler = await startTestScheduler(w.ctx.config, createLogger({ level: 'silent' }), { reconcileMs: 60_000 });
});
afterAll(async () => {
  await scheduler?.close();
  await w?.close();
  await dc?.stop();
});

const schedulerExists = async (id: number) =>
  (await w.runtime.queues.fetch.getJobScheduler(`account:${id}`)) !== undefined;

describe('a lock that expires while its holder is stalled', () => {
  it('the stalled fetcher deletes nothing once it resumes; the other one finishes; nothing is doubled', async () => {
    const user = dc.users[0]!;
    await dc.seed(user, 3000, 2000, { prefix: 'stall' });
    const id = await w.account('IMAP', user);
    const stalled = spawnCli(['fetch', '--account-id', String(id)], w.ctx.env);
    let out = '';
    stalled.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(
      'the first fetcher to store some mail',
      async () => (await w.runtime.prisma.inboundMessage.count({ where: { accountId: id } })) >= 100,
      30_000,
    );
    stalled.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 2500)); // > MAILDUCT_LOCK_TTL_MS: the lock expires
    const takeover = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(takeover.outcome).toBe('success');
    expect(dc.count(user)).toBe(0);
    stalled.kill('SIGCONT');
    const code = await new Promise<number | null>((resolve) => stalled.on('exit', resolve));
    expect(code).toBe(1);
    expect(out).toMatch(/failed \(storage\): lock of account \d+ was lost/);
    const rows = await w.runtime.prisma.inboundMessage.findMany({
      where: { accountId: id },
      select: { messageIdHeader: true },
    });
    expect(rows).toHaveLength(3000);
    expect(new Set(rows.map((r) => r.messageIdHeader)).size).toBe(3000);
    const tickets = (await w.tickets()).filter((t) => t.data.accountId === id);
    expect(new Set(tickets.map((t) => t.data.messageId)).size).toBe(3000);
    expect(tickets).toHaveLength(3000);
    const runs = await w.runtime.prisma.fetchRun.findMany({ where: { accountId: id }, orderBy: { id: 'asc' } });
    expect(runs.map((r) => [r.outcome, r.errorClass])).toEqual([
      ['failed', 'storage'],
      ['success', null],
    ]);
  });
});

describe('failures per account', () => {
  it('parks an account after repeated auth failures, drops its scheduler, and resumes it when set valid', async () => {
    const id = await w.account('POP3', dc.users[1]!, { password: 'wrong-password' });
    await announceAccountChange(w.runtime.redis, w.ctx.prefix, { accountId: id, kind: 'created' });
    await waitFor('its scheduler', () => schedulerExists(id), 2000);
    for (let i = 1; i <= 3; i++) {
      const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'schedule' });
      expect(outcome).toMatchObject({ outcome: 'failed', error: { class: 'auth' }, parked: i === 3 });
    }
    const parked = await w.runtime.prisma.mailAccount.findUniqueOrThrow({ where: { id } });
    expect(parked).toMatchObject({
      validity: 'invalid_temporarily',
      consecutiveAuthFailures: 3,
      parkedReason: expect.stringMatching(/login refused 3 times/),
    });
    expect(
      await w.runtime.prisma.auditEvent.findFirst({
        where: { entity: 'mail_account', entityId: String(id), action: 'park' },
      }),
    ).not.toBeNull();
    await waitFor('its scheduler to go', async () => !(await schedulerExists(id)), 2000);
    await w.accounts.update(id, { validity: 'valid', password: dc.password }, 'admin');
    await announceAccountChange(w.runtime.redis, w.ctx.prefix, { accountId: id, kind: 'updated' });
    const resumed = await w.runtime.prisma.mailAccount.findUniqueOrThrow({ where: { id } });
    expect(resumed).toMatchObject({
      validity: 'valid',
      parkedReason: null,
      consecutiveFailures: 0,
      consecutiveAuthFailures: 0,
    });
    await waitFor('its scheduler to come back', () => schedulerExists(id), 2000);
    expect((await w.runtime.service.fetchAccount({ accountId: id, trigger: 'schedule' })).outcome).toBe('success');
  });

  it('backs off after a transient error: scheduled jobs are skipped until then, fetch-now still runs', async () => {
    const id = (
      await w.accounts.create({ type: 'IMAP', host: '127.0.0.1', port: 1, username: 'nobody', password: 'x' }, 'test')
    ).id;
    const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'schedule' });
    expect(outcome).toMatchObject({ outcome: 'failed', error: { class: 'network' } });
    const account = await w.runtime.prisma.mailAccount.findUniqueOrThrow({ where: { id } });
    const wait = account.backoffUntil!.getTime() - Date.now();
    expect(wait).toBeGreaterThan(15_000);
    expect(wait).toBeLessThan(40_000);
    const stop = new AbortController();
    const processor = processFetchJob({
      prisma: w.runtime.prisma,
      service: w.runtime.service,
      budget: new HostBudget(10),
      stop: stop.signal,
      interrupt: stop.signal,
    });
    const job = (data: FetchJobData) =>
      ({ data, updateProgress: async () => undefined }) as unknown as Job<FetchJobData>;
    expect(await processor(job({ accountId: id, trigger: 'schedule' }))).toMatchObject({
      outcome: 'skipped',
      skippedReason: expect.stringContaining('backing off until'),
    });
    await expect(processor(job({ accountId: id, trigger: 'manual' }))).rejects.toThrow(/network/);
    const second = await w.runtime.prisma.mailAccount.findUniqueOrThrow({ where: { id } });
    expect(second.consecutiveFailures).toBe(2);
    expect(second.backoffUntil!.getTime() - Date.now()).toBeGreaterThan(40_000); // doubled
  });
});
