import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountLocks } from '@mailduct/core/lock';
import { createLogger } from '@mailduct/core/log';
import { MetricRepository, renderFetchMetrics } from '@mailduct/core/metrics';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { testFetchRuntime, type TestFetchRuntime } from '../../helpers/runtime.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
let t: TestApi;
let dc: Dovecot;
let fetcher: TestFetchRuntime;
let good: number;
let bad: number;

beforeAll(async () => {
  [t, dc] = await Promise.all([createTestApi({ MAILDUCT_METRICS_TOKEN: METRICS_TOKEN }), startDovecot({ users: 2 })]);
  fetcher = testFetchRuntime(t.ctx.config, createLogger({ level: 'silent' }));
  await dc.seed(dc.users[0]!, 4, 2000);
  good = (
    await t.deps.services.accounts.create(
      { type: 'IMAP', host: '127.0.0.1', port: dc.imapPort, username: dc.users[0]!, password: dc.password },
      'test',
    )
  ).id;
  bad = (
    await t.deps.services.accounts.create(
      { type: 'POP3', host: '127.0.0.1', port: dc.pop3Port, username: dc.users[1]!, password: 'wrong' },
      'test',
    )
  ).id;
  await fetcher.service.fetchAccount({ accountId: good, trigger: 'manual' });
  await fetcher.service.fetchAccount({ accountId: bad, trigger: 'manual' });
  const lock = await new AccountLocks(fetcher.redis, t.ctx.prefix, 10_000).acquire(good);
  await fetcher.service.fetchAccount({ accountId: good, trigger: 'manual' }); // skipped: lock held
  await lock!.release();
});
afterAll(async () => {
  await fetcher?.close();
  await t?.close();
  await dc?.stop();
});

const scrape = (authorization?: string) =>
  t.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });

describe('/metrics', () => {
  it('needs the metrics token or an API token', async () => {
    expect((await scrape()).statusCode).toBe(401);
    expect((await scrape('Bearer nope')).statusCode).toBe(401);
    expect((await scrape(`Bearer ${METRICS_TOKEN}`)).statusCode).toBe(200);
    expect((await scrape(t.auth.authorization)).statusCode).toBe(200);
  });

  it('reports per-account counters, state, the duration histogram, lock skips and queue depths', async () => {
    const res = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(res.headers['content-type']).toContain('text/plain');
    const body = res.body;
    expect(body).toContain(`mailduct_account_messages_total{account_id="${good}",outcome="fetched"} 4`);
    expect(body).toContain(`mailduct_account_messages_total{account_id="${good}",outcome="dispatched"} 4`);
    expect(body).toMatch(new RegExp(`mailduct_account_bytes_total\\{account_id="${good}"\\} \\d{4,}`));
    expect(body).toContain(`mailduct_account_runs_total{account_id="${good}",outcome="success",error_class=""} 1`);
    expect(body).toContain(`mailduct_account_runs_total{account_id="${bad}",outcome="failed",error_class="auth"} 1`);
    expect(body).toContain(`mailduct_account_consecutive_failures{account_id="${bad}"} 1`);
    expect(body).toMatch(
      new RegExp(`mailduct_account_last_success_timestamp_seconds\\{account_id="${good}"\\} \\d{10}`),
    );
    expect(body).not.toMatch(new RegExp(`last_success_timestamp_seconds\\{account_id="${bad}"\\}`));
    expect(body).toContain('mailduct_fetch_duration_seconds_count 2');
    expect(body).toContain('mailduct_fetch_duration_seconds_bucket{le="+Inf"} 2');
    expect(body).toContain('mailduct_lock_skips_total 1');
    expect(body).toContain('mailduct_queue_jobs{queue="tickets",state="waiting"} 4');
    expect(body).toContain('# TYPE mailduct_account_messages_total counter');
    expect(body).toContain('mailduct_api_process_cpu_user_seconds_total');
    expect(body).not.toContain(dc.password);
  });

  it('gives totals instead of series per account when asked (many accounts)', async () => {
    const { counters, accounts } = await new MetricRepository(fetcher.infra.pool, 'false').scrape();
    const body = renderFetchMetrics(counters, accounts, {}, 0);
    expect(body).not.toContain('account_id=');
    expect(body).toContain('mailduct_account_messages_total{outcome="fetched"} 4');
    expect(body).toContain('mailduct_account_runs_total{outcome="success",error_class=""} 1');
    expect(body).toContain('mailduct_account_runs_total{outcome="failed",error_class="auth"} 1');
    expect(body).toMatch(/^mailduct_account_bytes_total \d{4,}$/m);
    expect(body).toContain('mailduct_account_consecutive_failures 1'); // the most of any account
    expect(body).toContain('mailduct_account_parked 0');
    expect(body).toMatch(/^mailduct_account_last_success_timestamp_seconds \d{10}$/m); // the oldest
    expect(body).toContain('mailduct_fetch_duration_seconds_count 2');
    // auto: two accounts are well within per-account series.
    expect(Array.isArray((await new MetricRepository(fetcher.infra.pool).scrape()).accounts)).toBe(true);
  });

  it('drops the series of a deleted account and keeps the totals', async () => {
    await t.deps.services.accounts.remove(bad, 'test');
    const body = (await scrape(`Bearer ${METRICS_TOKEN}`)).body;
    expect(body).not.toContain(`account_id="${bad}"`);
    expect(body).toContain(`mailduct_account_runs_total{account_id="${good}",outcome="success",error_class=""} 1`);
    expect(body).toContain('mailduct_fetch_duration_seconds_count 2');
  });
});
