import { describe, expect, it } from 'vitest';
import { onFailure } from './failure-policy.js';

const now = new Date('2026-01-01T00:00:00Z');
const state = (consecutiveFailures: number, consecutiveAuthFailures = 0, pollIntervalSeconds = 600) => ({
  consecutiveFailures,
  consecutiveAuthFailures,
  pollIntervalSeconds,
});
const delay = (a: { backoffUntil: Date | null }) => (a.backoffUntil ? a.backoffUntil.getTime() - now.getTime() : null);

describe(onFailure.name, () => {
  it('backs off exponentially from 30 s for transient errors', () => {
    const mid = () => 0.5; // no jitter
    expect([1, 2, 3, 4].map((n) => delay(onFailure('network', state(n), now, 5, mid)))).toEqual([
      30_000, 60_000, 120_000, 240_000,
    ]);
  });

  it('caps the backoff at the poll interval', () => {
    expect(delay(onFailure('timeout', state(30, 0, 600), now, 5, () => 0.5))).toBe(600_000);
  });

  it('adds ±20 % jitter', () => {
    expect(delay(onFailure('server-busy', state(1), now, 5, () => 0))).toBe(24_000);
    expect(delay(onFailure('server-busy', state(1), now, 5, () => 1))).toBe(36_000);
  });

  it('parks after the threshold of consecutive auth failures, not before', () => {
    expect(onFailure('auth', state(4, 4), now, 5).park).toBeNull();
    expect(onFailure('auth', state(5, 5), now, 5).park).toMatch(/login refused 5 times/);
  });

  it('neither parks nor backs off for permanent configuration errors', () => {
    expect(onFailure('tls', state(3), now, 5)).toEqual({ park: null, backoffUntil: null });
    expect(onFailure('config', state(3), now, 5)).toEqual({ park: null, backoffUntil: null });
  });
});
