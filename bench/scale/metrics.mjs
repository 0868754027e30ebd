#!/usr/bin/env node
// bench/scale/metrics: what a /metrics scrape costs at BENCH_ACCOUNTS accounts (default 100,000),
// each with the seven counters a run leaves: reading the counters and states from PostgreSQL and
// rendering the text, median of 5 scrapes, and the size of the answer, per account and as totals.
import pg from 'pg';
import { createPgPool } from '../../packages/core/dist/db/index.js';
import { MetricRepository, renderFetchMetrics } from '../../packages/core/dist/metrics/index.js';
import { benchEnv, dropDatabase, freshDatabase, machine, median } from '../lib.mjs';

const N = Number(process.env.BENCH_ACCOUNTS || 100_000);
const env = benchEnv('mailduct_bench_metrics');
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
await db.query(
  `INSERT INTO mail_account (type, host, username, password_enc, consecutive_failures, last_success_at)
   SELECT 'IMAP', 'mail' || (i % 100) || '.example.com', 'u' || i, 'x', i % 3, now() FROM generate_series(1, $1) i`,
  [N],
);
await db.query(
  `INSERT INTO fetch_counter (account_id, name, value)
   SELECT a.id, n.name, (random() * 1000)::bigint FROM mail_account a
   CROSS JOIN unnest(ARRAY['messages_fetched','messages_dispatched','messages_ignored','messages_quarantined',
     'messages_duplicate','bytes','runs_success']) AS n(name)`,
);
await db.end();
const pool = createPgPool(env.DATABASE_URL, 4);
console.log(`bench/scale/metrics (${machine()}): ${N.toLocaleString('en')} accounts`);
for (const mode of ['true', 'false', 'auto']) {
  const repo = new MetricRepository(pool, mode);
  const times = [];
  let size = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const { counters, accounts } = await repo.scrape();
    const text = renderFetchMetrics(counters, accounts, { fetch: {}, tickets: {} }, 0);
    times.push(performance.now() - t0);
    size = text.length;
  }
  console.log(
    `MAILDUCT_METRICS_PER_ACCOUNT=${mode}: median ${Math.round(median(times))} ms (${times.map(Math.round).join(', ')}), ${(size / 2 ** 10).toFixed(1)} KiB of text`,
  );
}
await pool.end();
await dropDatabase(env);
