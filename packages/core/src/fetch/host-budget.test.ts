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

  it('gives watchers free slots only, never the last one, and counts them against fetch sessions', async () => {
    const budget = new HostBudget(3);
    expect(budget.watcherSlotsFree('mail.x')).toBe(2);
    const first = budget.tryHold('mail.x');
    const second = budget.tryHold('MAIL.X');
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(budget.tryHold('mail.x')).toBeNull(); // the last slot stays with fetch sessions
    expect(budget.watcherSlotsFree('mail.x')).toBe(0);
    expect(budget.inUse('mail.x')).toBe(2);
    // One fetch runs beside the two watchers; a second waits until a watcher lets go.
    let release!: () => void;
    const holding = budget.run('mail.x', () => new Promise<void>((r) => (release = r)));
    const order: string[] = [];
    const waiting = budget.run('mail.x', async () => void order.push('second fetch'));
    await tick();
    expect(order).toEqual([]);
    first!();
    first!(); // releasing twice gives back one slot
    await waiting;
    expect(order).toEqual(['second fetch']);
    release();
    await holding;
    expect(budget.inUse('mail.x')).toBe(1);
    second!();
    expect(budget.inUse('mail.x')).toBe(0);
  });

  it('lets no watcher take a slot while fetch sessions wait for one', async () => {
    const budget = new HostBudget(2);
    const watcher = budget.tryHold('h')!;
    let release!: () => void;
    const running = budget.run('h', () => new Promise<void>((r) => (release = r)));
    const queued = budget.run('h', async () => 'queued');
    watcher();
    await tick();
    expect(budget.tryHold('h')).toBeNull();
    release();
    await running;
    expect(await queued).toBe('queued');
    expect(budget.tryHold('h')).not.toBeNull();
  });
});
