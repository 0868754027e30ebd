import { describe, expect, it } from 'vitest';
import { batchesOf, planFetch } from './fetch-plan.js';

const m = (seq: number, size: number) => ({ id: `u${seq}`, seq, size });

describe(planFetch.name, () => {
  it('keeps server order, skips oversized messages and reports them', () => {
    const plan = planFetch([m(1, 10), m(2, 5000), m(3, 10)], { maxBytes: 1000, limit: 10, done: new Set() });
    expect(plan.fetch.map((x) => x.seq)).toEqual([1, 3]);
    expect(plan.oversized.map((x) => x.seq)).toEqual([2]);
  });

  it('stops at the limit but still reports every oversized message', () => {
    const plan = planFetch([m(1, 10), m(2, 10), m(3, 10), m(4, 5000)], { maxBytes: 1000, limit: 2, done: new Set() });
    expect(plan.fetch.map((x) => x.seq)).toEqual([1, 2]);
    expect(plan.oversized).toHaveLength(1);
  });

  it('skips what this run already handled', () => {
    expect(
      planFetch([m(1, 10), m(2, 10)], { maxBytes: 1000, limit: 10, done: new Set(['u1']) }).fetch.map((x) => x.seq),
    ).toEqual([2]);
  });

  it('accepts a message of exactly the limit', () => {
    expect(planFetch([m(1, 1000)], { maxBytes: 1000, limit: 10, done: new Set() }).fetch).toHaveLength(1);
  });
});

describe(batchesOf.name, () => {
  it('groups small messages by count and bytes', () => {
    const small = Array.from({ length: 120 }, (_, i) => m(i + 1, 100));
    expect(
      batchesOf(small, { maxCount: 50, maxBytes: 1e9, largeBytes: 1e6, largeMaxCount: 8 }).map((b) => b.length),
    ).toEqual([50, 50, 20]);
    expect(
      batchesOf(small.slice(0, 10), { maxCount: 50, maxBytes: 350, largeBytes: 1e6, largeMaxCount: 8 }).map(
        (b) => b.length,
      ),
    ).toEqual([3, 3, 3, 1]);
  });

  it('never mixes large and small messages, and keeps server order', () => {
    const list = [m(1, 10), m(2, 10), m(3, 2_000_000), m(4, 10)];
    expect(batchesOf(list).map((b) => b.map((x) => x.seq))).toEqual([[1, 2], [3], [4]]);
  });

  it('groups consecutive large messages by count and bytes; one above maxBytes travels alone', () => {
    const large = Array.from({ length: 10 }, (_, i) => m(i + 1, 1_500_000));
    expect(batchesOf(large).map((b) => b.length)).toEqual([5, 5]);
    expect(batchesOf([m(1, 1_100_000), m(2, 30_000_000), m(3, 1_100_000)]).map((b) => b.map((x) => x.seq))).toEqual([
      [1],
      [2],
      [3],
    ]);
    const limits = { maxCount: 50, maxBytes: 1e12, largeBytes: 1e6, largeMaxCount: 8 };
    expect(batchesOf(large, limits).map((b) => b.length)).toEqual([8, 2]);
  });
});
