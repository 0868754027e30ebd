import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { AccountService } from '@mailduct/core/accounts';
import { SecretBox } from '@mailduct/core/crypto';
import { createPrisma, type PrismaClient } from '@mailduct/core/db';
import { announceAccountChange } from '@mailduct/core/events';
import { createLogger } from '@mailduct/core/log';
import { offsetOf } from '@mailduct/core/schedule';
import { createRedis, type RedisClient } from '@mailduct/core/redis';
import { createTestContext, type TestContext } from '../../helpers/context.js';
import { startTestScheduler, type TestScheduler } from '../../helpers/runtime.js';

let ctx: TestContext;
let prisma: PrismaClient;
let redis: RedisClient;
let queue: Queue;
let accounts: AccountService;
const schedulers: TestScheduler[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  prisma = createPrisma(ctx.databaseUrl);
  redis = createRedis(ctx.config.redisUrl, { forWorker: true });
  queue = new Queue('fetch', { connection: redis, prefix: ctx.prefix });
  accounts = new AccountService({
    prisma,
    secrets: new SecretBox(ctx.config.secretKey),
    defaults: { pollIntervalSeconds: 600 },
    onChange: (change) => announceAccountChange(redis, ctx.prefix, change),
  });
});
afterAll(async () => {
  for (const s of schedulers) await s.close();
  await queue?.close();
  redis?.disconnect();
  await prisma?.$disconnect();
  await ctx?.drop();
});

const start = async (reconcileMs = 60_000) => {
  const s = await startTestScheduler(ctx.config, createLogger({ level: 'silent' }), { reconcileMs });
  schedulers.push(s);
  return s;
};

async function schedulerSet(): Promise<Map<string, { every: number; offset: number }>> {
  const all = await queue.getJobSchedulers(0, -1, true);
  return new Map(all.map((s) => [s.key, { every: Number(s.every), offset: Number(s.offset) }]));
}

/** Poll until `check` passes or 2 s have gone by (the bound for reacting to a change). */
async function within2s(check: () => Promise<void>): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await check();
      return Date.now() - started;
    } catch (err) {
      if (Date.now() - started > 2000) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const create = (username: string, extra: object = {}) =>
  accounts.create({ type: 'IMAP', host: 'mail.example.com', username, password: 'pw', ...extra }, 'test');

describe('scheduler', () => {
  it('reconciles at start: one scheduler per valid account, none for invalid ones', async () => {
    const a = await create('a');
    const b = await create('b', { pollIntervalSeconds: 120 });
    await create('c', { validity: 'invalid' });
    await create('d', { validity: 'invalid-temporarily' });
    await start();
    const set = await schedulerSet();
    expect([...set.keys()].sort()).toEqual([`account:${a.id}`, `account:${b.id}`].sort());
    expect(set.get(`account:${a.id}`)).toEqual({ every: 600_000, offset: offsetOf(a.id, 600_000) });
    expect(set.get(`account:${b.id}`)!.every).toBe(120_000);
  });

  it('follows create, interval change, invalid, valid and delete within 2 s', async () => {
    const x = await create('x');
    const key = `account:${x.id}`;
    await within2s(async () => expect((await schedulerSet()).has(key)).toBe(true));
    await accounts.update(x.id, { pollIntervalSeconds: 45 }, 'test');
    await within2s(async () => expect((await schedulerSet()).get(key)?.every).toBe(45_000));
    await accounts.update(x.id, { validity: 'invalid' }, 'test');
    await within2s(async () => expect((await schedulerSet()).has(key)).toBe(false));
    await accounts.update(x.id, { validity: 'valid' }, 'test');
    await within2s(async () => expect((await schedulerSet()).has(key)).toBe(true));
    await accounts.remove(x.id, 'test');
    await within2s(async () => expect((await schedulerSet()).has(key)).toBe(false));
  });

  it('heals a change whose announcement was lost, at the next reconcile', async () => {
    const quiet = new AccountService({
      prisma,
      secrets: new SecretBox(ctx.config.secretKey),
      defaults: { pollIntervalSeconds: 600 },
    });
    const y = await quiet.create({ type: 'POP3', host: 'mail.example.com', username: 'y', password: 'pw' }, 'test');
    const fast = await start(300);
    expect(fast).toBeDefined();
    await within2s(async () => expect((await schedulerSet()).has(`account:${y.id}`)).toBe(true));
  });

  it('gives the same result with two schedulers and after a restart: no duplicates, one delayed job each', async () => {
    const before = await schedulerSet();
    const second = await start();
    await second.scheduler.reconcile();
    await schedulers[0]!.scheduler.reconcile();
    const restarted = await start();
    await restarted.scheduler.reconcile();
    const after = await schedulerSet();
    expect(after).toEqual(before);
    const delayed = await queue.getJobs(['delayed', 'waiting', 'prioritized']);
    const perScheduler = new Map<string, number>();
    for (const j of delayed)
      if (j.repeatJobKey) perScheduler.set(j.repeatJobKey, (perScheduler.get(j.repeatJobKey) ?? 0) + 1);
    expect([...perScheduler.values()].every((n) => n === 1)).toBe(true);
    expect(perScheduler.size).toBe(after.size);
    const result = await restarted.scheduler.reconcile();
    expect(result).toMatchObject({ upserted: 0, removed: 0, unchanged: after.size });
  });
});
