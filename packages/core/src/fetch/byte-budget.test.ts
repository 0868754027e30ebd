import { describe, expect, it } from 'vitest';
import { ByteBudget } from './byte-budget.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('ByteBudget', () => {
  it('holds no more than its total and serves waiters in order as bytes come back', async () => {
    const budget = new ByteBudget(100);
    const a = await budget.take(60);
    const order: string[] = [];
    const b = budget.take(50).then((release) => (order.push('b'), release));
    const c = budget.take(10).then((release) => (order.push('c'), release));
    await tick();
    // c would fit, but b asked first: a small batch does not starve a large one
    expect(order).toEqual([]);
    expect(budget.held).toBe(60);
    a();
    a(); // a second call gives nothing back twice
    const [rb] = await Promise.all([b, c]);
    expect(order).toEqual(['b', 'c']);
    expect(budget.held).toBe(60);
    rb();
    expect(budget.held).toBe(10);
  });

  it('lets a batch larger than the whole budget through once it is alone', async () => {
    const budget = new ByteBudget(100);
    const small = await budget.take(1);
    let granted = false;
    const big = budget.take(500).then((release) => ((granted = true), release));
    await tick();
    expect(granted).toBe(false);
    small();
    (await big)();
    expect(granted).toBe(true);
    expect(budget.held).toBe(0);
  });
});
