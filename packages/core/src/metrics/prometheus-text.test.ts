import { describe, expect, it } from 'vitest';
import { renderFetchMetrics } from './prometheus-text.js';

describe(renderFetchMetrics.name, () => {
  const at = new Date('2026-01-02T03:04:05Z');
  const text = renderFetchMetrics(
    [
      { accountId: 7, name: 'messages_fetched', value: 12 },
      { accountId: 7, name: 'bytes', value: 3456 },
      { accountId: 7, name: 'runs_success', value: 3 },
      { accountId: 7, name: 'runs_failed:auth', value: 1 },
      { accountId: 8, name: 'runs_failed:odd "class"\\with\nbreak', value: 2 },
      { accountId: 0, name: 'duration_count', value: 4 },
      { accountId: 0, name: 'duration_sum_ms', value: 2500 },
      { accountId: 0, name: 'duration_le:1', value: 3 },
    ],
    [{ id: 7, oversizedCount: 2, consecutiveFailures: 0, parked: false, lastSuccessAt: at }],
    { fetch: { waiting: 5 } },
    9,
  );
  const lines = text.split('\n');

  it('renders per-account counters and gauges with the account id as label', () => {
    expect(lines).toContain('mailduct_account_messages_total{account_id="7",outcome="fetched"} 12');
    expect(lines).toContain('mailduct_account_bytes_total{account_id="7"} 3456');
    expect(lines).toContain('mailduct_account_runs_total{account_id="7",outcome="success",error_class=""} 3');
    expect(lines).toContain('mailduct_account_runs_total{account_id="7",outcome="failed",error_class="auth"} 1');
    expect(lines).toContain('mailduct_account_oversized_messages{account_id="7"} 2');
    expect(lines).toContain(`mailduct_account_last_success_timestamp_seconds{account_id="7"} ${at.getTime() / 1000}`);
  });

  it('escapes backslash, double quote and line feed in label values', () => {
    expect(lines).toContain(
      'mailduct_account_runs_total{account_id="8",outcome="failed",error_class="odd \\"class\\"\\\\with\\nbreak"} 2',
    );
  });

  it('renders the duration histogram, lock skips and queue depths', () => {
    expect(lines).toContain('mailduct_fetch_duration_seconds_bucket{le="0.5"} 0');
    expect(lines).toContain('mailduct_fetch_duration_seconds_bucket{le="1"} 3');
    expect(lines).toContain('mailduct_fetch_duration_seconds_bucket{le="+Inf"} 4');
    expect(lines).toContain('mailduct_fetch_duration_seconds_sum 2.5');
    expect(lines).toContain('mailduct_lock_skips_total 9');
    expect(lines).toContain('mailduct_queue_jobs{queue="fetch",state="waiting"} 5');
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('OAuth2 gauges', () => {
  const secret = new Date('2027-03-01T00:00:00Z');
  const lines = renderFetchMetrics(
    [],
    [
      { id: 1, oversizedCount: 0, consecutiveFailures: 0, parked: false, lastSuccessAt: null },
      {
        id: 2,
        oversizedCount: 0,
        consecutiveFailures: 1,
        parked: true,
        lastSuccessAt: null,
        oauth2: { authorizationRequired: true, refreshTokenExpiresAt: null, clientSecretExpiresAt: secret },
      },
      {
        id: 3,
        oversizedCount: 0,
        consecutiveFailures: 0,
        parked: false,
        lastSuccessAt: null,
        oauth2: { authorizationRequired: false, refreshTokenExpiresAt: null, clientSecretExpiresAt: null },
      },
    ],
    {},
    0,
  ).split('\n');

  it('says which OAuth2 accounts need an administrator, and not for password accounts', () => {
    expect(lines).toContain('mailduct_account_oauth2_reauthorization_required{account_id="2"} 1');
    expect(lines).toContain('mailduct_account_oauth2_reauthorization_required{account_id="3"} 0');
    expect(lines.some((l) => l.startsWith('mailduct_account_oauth2_reauthorization_required{account_id="1"}'))).toBe(
      false,
    );
  });

  it('gives expiry times only where they are known', () => {
    expect(lines).toContain(
      `mailduct_oauth2_token_expiry_timestamp_seconds{account_id="2",token="client_secret"} ${secret.getTime() / 1000}`,
    );
    expect(lines.filter((l) => l.startsWith('mailduct_oauth2_token_expiry_timestamp_seconds{'))).toHaveLength(1);
  });
});

describe('renderFetchMetrics: push', () => {
  const counters = [
    { accountId: 0, name: 'push_latency_count', value: 3 },
    { accountId: 0, name: 'push_latency_sum_ms', value: 2400 },
    { accountId: 0, name: 'push_latency_le:1', value: 2 },
    { accountId: 0, name: 'push_latency_le:2', value: 3 },
  ];
  const lines = renderFetchMetrics(counters, [], {}, 0, {
    watchers: { watching: 4, connecting: 1, unsupported: 0, unwatched: 2 },
    reconnects: 7,
  }).split('\n');

  it('counts push accounts by watch state, and the reconnects', () => {
    expect(lines).toContain('mailduct_watchers{state="watching"} 4');
    expect(lines).toContain('mailduct_watchers{state="unwatched"} 2');
    expect(lines).toContain('mailduct_push_reconnects_total 7');
  });

  it('renders the push latency histogram', () => {
    expect(lines).toContain('mailduct_push_latency_seconds_bucket{le="1"} 2');
    expect(lines).toContain('mailduct_push_latency_seconds_bucket{le="+Inf"} 3');
    expect(lines).toContain('mailduct_push_latency_seconds_sum 2.4');
  });
});
