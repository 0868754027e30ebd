import { describe, expect, it } from 'vitest';
import { HostBudget } from './host-budget.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe(HostBudget.name, () => {
  it('lets at most `limit` runs per host proceed, case-insensitively, and serves waiters in order', async () => {
    const budget = new HostBudget(2);
    let peak = 0;
    let now = 0;
    const order: number[] = [];
    const job = (i: number, host: string) =>
      budget.run(host, async () => {
        now++;
        peak = Math.max(peak, now);
        order.push(i);
        await tick();
        now--;
      });
    await Promise.all([job(1, 'mail.x'), job(2, 'MAIL.X'), job(3, 'mail.x'), job(4, 'mail.x')]);
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(budget.inUse('mail.x')).toBe(0);
  });

  it('does not limit different hosts against each other', async () => {
    const budget = new HostBudget(1);
    let concurrent = 0;
    let peak = 0;
    const job = (host: string) =>
      budget.run(host, async () => {
        peak = Math.max(peak, ++concurrent);
        await tick();
        concurrent--;
      });
    await Promise.all([job('a'), job('b'), job('c')]);
    expect(peak).toBe(3);
  });

  it('frees the slot when the run throws', async () => {
    const budget = new HostBudget(1);
    await expect(budget.run('h', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await budget.run('h', async () => 'next')).toBe('next');
  });
});
