import { describe, expect, it } from 'vitest';
import { decideDelivery, disableFailingWebhook, retryAfterOf, RETRY_WINDOW_MS } from './delivery-policy.js';

const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);
const mid = () => 0.5; // no jitter

describe(decideDelivery.name, () => {
  it('is delivered on 2xx', () => {
    expect(decideDelivery({ status: 204 }, 1, T0, T0)).toEqual({ outcome: 'delivered' });
  });

  it('retries 5xx, 408, 429, timeouts and connection errors with doubling delays', () => {
    const delays = [1, 2, 3, 4].map((n) => decideDelivery({ status: 503 }, n, T0, T0, mid));
    expect(delays.map((d) => (d.outcome === 'retry' ? d.delayMs : null))).toEqual([30_000, 60_000, 120_000, 240_000]);
    for (const r of [{ status: 408 }, { status: 429 }, { error: 'timeout', message: 'no answer in 10 s' }] as const)
      expect(decideDelivery(r, 1, T0, T0, mid).outcome).toBe('retry');
    expect(decideDelivery({ error: 'connection', message: 'ECONNREFUSED' }, 1, T0, T0, mid)).toMatchObject({
      outcome: 'retry',
      reason: 'ECONNREFUSED',
    });
  });

  it('caps the delay at an hour and jitters it by ±20 %', () => {
    expect(decideDelivery({ status: 500 }, 30, T0, T0, mid)).toMatchObject({ delayMs: 3600_000 });
    expect(decideDelivery({ status: 500 }, 1, T0, T0, () => 0)).toMatchObject({ delayMs: 24_000 });
    expect(decideDelivery({ status: 500 }, 1, T0, T0, () => 0.999999)).toMatchObject({ delayMs: 36_000 });
  });

  it('waits at least as long as Retry-After says', () => {
    expect(decideDelivery({ status: 429, retryAfter: '120' }, 1, T0, T0, mid)).toMatchObject({ delayMs: 120_000 });
    const date = new Date(T0 + 300_000).toUTCString();
    expect(decideDelivery({ status: 503, retryAfter: date }, 1, T0, T0, mid)).toMatchObject({ delayMs: 300_000 });
  });

  it('does not retry other 4xx, redirects or a refused address, and says why', () => {
    expect(decideDelivery({ status: 410 }, 1, T0, T0)).toEqual({
      outcome: 'failed',
      reason: 'answered 410: the receiver refused the event',
    });
    expect(decideDelivery({ status: 301 }, 1, T0, T0)).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/redirects/),
    });
    expect(
      decideDelivery({ error: 'refused-address', message: '10.0.0.5 is a private address' }, 1, T0, T0),
    ).toMatchObject({ outcome: 'failed' });
  });

  it('gives up once the next try would come more than 24 h after the first', () => {
    const late = T0 + RETRY_WINDOW_MS - 60_000;
    expect(decideDelivery({ status: 500 }, 25, T0, late, mid)).toEqual({
      outcome: 'failed',
      reason: 'answered 500; retried for 24 h',
    });
    expect(decideDelivery({ status: 500 }, 2, T0, T0 + 3600_000, mid).outcome).toBe('retry');
  });
});

describe(retryAfterOf.name, () => {
  it('reads seconds and HTTP dates, ignores the rest, and caps at 6 h', () => {
    expect(retryAfterOf('5', T0)).toBe(5000);
    expect(retryAfterOf(new Date(T0 + 10_000).toUTCString(), T0)).toBe(10_000);
    expect(retryAfterOf(new Date(T0 - 10_000).toUTCString(), T0)).toBe(0);
    expect(retryAfterOf('soon', T0)).toBe(0);
    expect(retryAfterOf('x'.repeat(10_000), T0)).toBe(0);
    expect(retryAfterOf(null, T0)).toBe(0);
    expect(retryAfterOf('999999', T0)).toBe(6 * 3600_000);
  });
});

describe(disableFailingWebhook.name, () => {
  it('disables a webhook that delivered nothing for 24 h, not sooner', () => {
    expect(disableFailingWebhook(null, T0)).toBe(false);
    expect(disableFailingWebhook(new Date(T0 - RETRY_WINDOW_MS + 1000), T0)).toBe(false);
    expect(disableFailingWebhook(new Date(T0 - RETRY_WINDOW_MS), T0)).toBe(true);
  });
});
