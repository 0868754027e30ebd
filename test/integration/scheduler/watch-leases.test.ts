import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { WatchLeases, type WatchInfo } from '@mailduct/core/push';
import { createTestContext, type TestContext } from '../../helpers/context.js';

// The watch leases on a real Redis: renewals in one pipeline, a lost lease seen as lost, and a
// Redis that forgot its scripts (restart, failover) still renewing.
let ctx: TestContext;
let redis: Redis;
beforeAll(async () => {
  ctx = await createTestContext();
  redis = new Redis(ctx.config.redisUrl);
});
afterAll(async () => {
  redis?.disconnect();
  await ctx?.drop();
});

const info = (state: WatchInfo['state']): WatchInfo => ({
  owner: 'h:1',
  since: new Date(0).toISOString(),
  state,
  reason: null,
});

describe(WatchLeases.name, () => {
  it('renews many leases at once, says which were lost, and survives SCRIPT FLUSH', async () => {
    const mine = new WatchLeases(redis, ctx.prefix, 10_000);
    const other = new WatchLeases(redis, ctx.prefix, 10_000);
    expect(await mine.acquire(1, info('connecting'))).toBe(true);
    expect(await mine.acquire(2, info('connecting'))).toBe(true);
    expect(await other.acquire(2, info('connecting'))).toBe(false);
    // Lease 2 expires and another process takes it.
    await redis.pexpire(`${ctx.prefix}:push:watch:2`, 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(await other.acquire(2, info('connecting'))).toBe(true);

    await redis.script('FLUSH');
    expect(
      await mine.renewMany([
        [1, info('watching')],
        [2, info('watching')],
        [3, info('watching')],
      ]),
    ).toEqual([true, false, false]);
    expect(await mine.read(1)).toMatchObject({ state: 'watching' });
    expect(await mine.read(2)).toMatchObject({ state: 'connecting' });
    expect(await redis.pttl(`${ctx.prefix}:push:watch:1`)).toBeGreaterThan(9_000);
    expect(await mine.readMany([1, 2, 3])).toEqual([
      expect.objectContaining({ state: 'watching' }),
      expect.objectContaining({ state: 'connecting' }),
      null,
    ]);
  });
});
