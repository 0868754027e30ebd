import { describe, expect, it } from 'vitest';
import { UidCursor } from './uid-cursor.js';

describe('UidCursor', () => {
  it('moves over settled UIDs in order and stops at the first open one', () => {
    const c = new UidCursor([11, 12, 15, 20], 10);
    expect(c.position).toBe(10);
    c.settle([12]);
    expect(c.position).toBe(10);
    c.settle([11]);
    expect(c.position).toBe(12);
    c.settle([20]);
    expect(c.position).toBe(12);
    c.settle([15]);
    expect(c.position).toBe(20);
  });

  it('never goes back below its start, and ignores UIDs it was not given', () => {
    const c = new UidCursor([], 7);
    c.settle([3, 99]);
    expect(c.position).toBe(7);
  });
});
