import { describe, expect, it } from 'vitest';
import { offsetOf, planReconcile, specFor } from './schedule-plan.js';

describe(specFor.name, () => {
  it('schedules a valid account every pollIntervalSeconds, with its id and a job that carries only the account id', () => {
    const spec = specFor({ id: 42, valid: true, pollIntervalSeconds: 600 })!;
    expect(spec).toMatchObject({ id: 'account:42', every: 600_000, data: { accountId: 42, trigger: 'schedule' } });
    expect(spec.offset).toBeGreaterThanOrEqual(0);
    expect(spec.offset).toBeLessThan(600_000);
  });

  it('schedules nothing for an invalid account', () => {
    expect(specFor({ id: 1, valid: false, pollIntervalSeconds: 600 })).toBeNull();
  });
});

describe(offsetOf.name, () => {
  it('is stable per account', () => {
    expect(offsetOf(7, 600_000)).toBe(offsetOf(7, 600_000));
  });

  it('spreads 10,000 accounts evenly over the interval', () => {
    const perSecond = new Array(600).fill(0);
    for (let id = 1; id <= 10_000; id++) perSecond[Math.floor(offsetOf(id, 600_000) / 1000)]++;
    expect(Math.max(...perSecond)).toBeLessThan(45); // mean 16.7
  });
});

describe(planReconcile.name, () => {
  const accounts = [
    { id: 1, valid: true, pollIntervalSeconds: 600 },
    { id: 2, valid: true, pollIntervalSeconds: 60 },
    { id: 3, valid: false, pollIntervalSeconds: 600 },
  ];

  it('creates every missing scheduler from empty', () => {
    expect(planReconcile(accounts, [])).toMatchObject({
      upsert: [{ id: 'account:1' }, { id: 'account:2' }],
      remove: [],
      unchanged: 0,
    });
  });

  it('changes nothing when everything matches', () => {
    const existing = accounts.flatMap((a) => {
      const s = specFor(a);
      return s ? [{ id: s.id, every: s.every, offset: s.offset }] : [];
    });
    expect(planReconcile(accounts, existing)).toEqual({ upsert: [], remove: [], unchanged: 2 });
  });

  it('updates a changed interval and removes invalid, deleted and stray schedulers', () => {
    const existing = [
      { id: 'account:1', every: 300_000, offset: 1 },
      { id: 'account:3', every: 600_000, offset: 5 },
      { id: 'account:99', every: 600_000, offset: 5 },
      { id: 'nightly-cleanup', every: 86_400_000, offset: null },
    ];
    const plan = planReconcile(accounts, existing);
    expect(plan.upsert.map((s) => s.id)).toEqual(['account:1', 'account:2']);
    expect(plan.remove).toEqual(['account:3', 'account:99']);
  });
});
