import type pg from 'pg';
import type { AccountGaugeRow, AccountTotals, CounterRow } from './prometheus-text.js';

/** MAILDUCT_METRICS_PER_ACCOUNT: series per account, totals only, or per account up to PER_ACCOUNT_UP_TO accounts. */
export type PerAccountMode = 'auto' | 'true' | 'false';
/** Above this many accounts `auto` gives totals: 10,000 accounts are ~7 MiB of text a scrape, 100,000 are 72 MiB and 2 s. */
export const PER_ACCOUNT_UP_TO = 10_000;

/**
 * What `/metrics` reads at scrape time, with plain pg: every counter of an existing account (and
 * account 0's histogram) and every account's state. Through Prisma a scrape of 10,000 accounts took
 * ~430 ms (the ids of all accounts went back to PostgreSQL as a 10,000-element IN list, and every
 * row became a Prisma object); here the join stays in PostgreSQL. With many accounts the series
 * are totals, summed and reduced in PostgreSQL (`readTotals`).
 */
export class MetricRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly mode: PerAccountMode = 'auto',
  ) {}

  /** What a scrape renders: per account, or totals as the mode and the number of accounts say. */
  async scrape(): Promise<{ counters: CounterRow[]; accounts: AccountGaugeRow[] | AccountTotals }> {
    if (this.mode === 'true') return this.read();
    if (this.mode === 'false') return this.readTotals();
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM mail_account');
    return Number(rows[0]!.n) <= PER_ACCOUNT_UP_TO ? this.read() : this.readTotals();
  }

  /** Every counter summed over the accounts (account 0's histogram as it is), and the accounts' state in one row. */
  async readTotals(): Promise<{ counters: CounterRow[]; accounts: AccountTotals }> {
    const [counters, totals] = await Promise.all([
      this.pool.query<{ global: boolean; name: string; value: string }>(
        `SELECT c.account_id = 0 AS global, c.name, sum(c.value) AS value FROM fetch_counter c
          WHERE c.account_id = 0 OR EXISTS (SELECT 1 FROM mail_account a WHERE a.id = c.account_id)
          GROUP BY 1, 2`,
      ),
      this.pool.query<{
        oversized: string;
        failures: number;
        parked: string;
        oldest: Date | null;
        reauth: string;
        refresh: Date | null;
        secret: Date | null;
      }>(
        `SELECT coalesce(sum(a.oversized_count), 0) AS oversized, coalesce(max(a.consecutive_failures), 0) AS failures,
            count(*) FILTER (WHERE a.parked_reason IS NOT NULL) AS parked, min(a.last_success_at) AS oldest,
            count(*) FILTER (WHERE a.auth_method = 'oauth2' AND (a.oauth2_reauthorization_required
              OR (p.grant_type <> 'client_credentials' AND t.refresh_token_enc IS NULL))) AS reauth,
            min(t.refresh_expires_at) FILTER (WHERE a.auth_method = 'oauth2') AS refresh,
            min(p.client_secret_expires_at) FILTER (WHERE a.auth_method = 'oauth2') AS secret
          FROM mail_account a LEFT JOIN oauth2_provider p ON p.id = a.oauth2_provider_id
          LEFT JOIN oauth2_token t ON t.account_id = a.id`,
      ),
    ]);
    const t = totals.rows[0]!;
    return {
      counters: counters.rows.map((r) => ({ accountId: r.global ? 0 : null, name: r.name, value: Number(r.value) })),
      accounts: {
        oversized: Number(t.oversized),
        mostConsecutiveFailures: t.failures,
        parked: Number(t.parked),
        oldestLastSuccessAt: t.oldest,
        reauthorizationRequired: Number(t.reauth),
        soonestRefreshTokenExpiry: t.refresh,
        soonestClientSecretExpiry: t.secret,
      },
    };
  }

  /** Every counter of an existing account (and account 0's histogram) and every account's state. */
  async read(): Promise<{ counters: CounterRow[]; accounts: AccountGaugeRow[] }> {
    const [counters, accounts] = await Promise.all([
      this.pool.query<{ account_id: number; name: string; value: string }>(
        `SELECT c.account_id, c.name, c.value FROM fetch_counter c
          WHERE c.account_id = 0 OR EXISTS (SELECT 1 FROM mail_account a WHERE a.id = c.account_id)`,
      ),
      this.pool.query<{
        id: number;
        oversized_count: number;
        consecutive_failures: number;
        parked: boolean;
        last_success_at: Date | null;
        oauth2: boolean;
        needs_authorization: boolean | null;
        refresh_expires_at: Date | null;
        client_secret_expires_at: Date | null;
      }>(
        `SELECT a.id, a.oversized_count, a.consecutive_failures, a.parked_reason IS NOT NULL AS parked, a.last_success_at,
            a.auth_method = 'oauth2' AS oauth2,
            a.oauth2_reauthorization_required
              OR (p.grant_type <> 'client_credentials' AND t.refresh_token_enc IS NULL) AS needs_authorization,
            t.refresh_expires_at, p.client_secret_expires_at
          FROM mail_account a LEFT JOIN oauth2_provider p ON p.id = a.oauth2_provider_id
          LEFT JOIN oauth2_token t ON t.account_id = a.id`,
      ),
    ]);
    return {
      counters: counters.rows.map((r) => ({ accountId: r.account_id, name: r.name, value: Number(r.value) })),
      accounts: accounts.rows.map((r) => ({
        id: r.id,
        oversizedCount: r.oversized_count,
        consecutiveFailures: r.consecutive_failures,
        parked: r.parked,
        lastSuccessAt: r.last_success_at,
        oauth2: r.oauth2
          ? {
              authorizationRequired: r.needs_authorization === true,
              refreshTokenExpiresAt: r.refresh_expires_at,
              clientSecretExpiresAt: r.client_secret_expires_at,
            }
          : null,
      })),
    };
  }
}
