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

describe('onFailure for OAuth2 grants', () => {
  const state = { consecutiveFailures: 1, consecutiveAuthFailures: 1, pollIntervalSeconds: 600 };
  const now = new Date('2026-12-02T10:00:00Z');

  it('parks at the first refused grant and the first run without one, not after five', () => {
    const refused = onFailure({ class: 'auth', code: 'OAUTH2_REAUTHORIZATION_REQUIRED' }, state, now, 5);
    expect(refused).toEqual({ park: expect.stringMatching(/authorize the account again/), backoffUntil: null });
    const missing = onFailure({ class: 'auth', code: 'OAUTH2_AUTHORIZATION_REQUIRED' }, state, now, 5);
    expect(missing.park).toMatch(/nobody has authorized/);
  });

  it('treats a refused password or token like any login refusal, and an unreachable provider as transient', () => {
    expect(onFailure({ class: 'auth', code: 'MAIL_AUTH_REFUSED' }, state, now, 5).park).toBeNull();
    const unreachable = onFailure({ class: 'network', code: 'OAUTH2_PROVIDER_UNREACHABLE' }, state, now, 5, () => 0.5);
    expect(unreachable.park).toBeNull();
    expect(unreachable.backoffUntil?.getTime()).toBe(now.getTime() + 30_000);
  });
});
