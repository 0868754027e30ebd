#!/usr/bin/env node
// bench/scale/fleet: what one fetcher process carries, and whether a capacity model built from
// two measurements predicts the rest. IMAP accounts on Dovecot users behind a proxy adding 20 ms
// each way (40 ms round trip); one in five mailboxes has a new 2 KB mail at each poll, the rest are
// empty (a desk's typical poll finds nothing).
//   1. calibrate: concurrency 1 → the wall time of one run (t_run); one process at concurrency 50
//      saturated → machine CPU, Redis commands and PostgreSQL transactions per run.
//   2. predict and measure: throughput of other fleets = min(processes × concurrency / t_run,
//      cores / CPU per run); each is measured by draining one job per account.
//   3. schedule: the real scheduler keeps every account on a 60 s interval; lag p99 and jobs/s.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SecretBox } from '../../packages/core/dist/crypto/index.js';
import { benchEnv, cpuOf, cpuOfAll, dropDatabase, freshDatabase, machine, startCli, startDovecot } from '../lib.mjs';
import { startLatencyProxy } from '../latency-proxy.mjs';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS || 1000);
const SCHEDULE_SECONDS = Number(process.env.BENCH_SECONDS || 150);
const MAIL_SHARE = 0.2;
const dc = await startDovecot(0, ACCOUNTS);
const proxy = await startLatencyProxy(dc.imapPort, 20);
const env = benchEnv('mailduct_bench_fleet', { MAILDUCT_MAX_CONNECTIONS_PER_HOST: '1000' });
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
await db.query(
  `INSERT INTO mail_account (type, host, port, username, password_enc, imap_folder, poll_interval_seconds)
   SELECT 'IMAP', '127.0.0.1', $1, 'user' || i, $2, 'INBOX', 60 FROM generate_series(1, $3) i`,
  [proxy.port, new SecretBox(env.MAILDUCT_SECRET_KEY).seal('password'), ACCOUNTS],
);
const ids = (await db.query('SELECT id FROM mail_account ORDER BY id')).rows.map((r) => r.id);
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue('fetch', { connection: redis, prefix: env.MAILDUCT_QUEUE_PREFIX });
const cores = cpus().length;
let round = 0;

try {
  const one = await drain(1, 1, 100);
  const tRun = one.seconds / 100; // one account's run, nothing else running
  const sat = await drain(1, 50, ACCOUNTS);
  // Past the concurrency a fetcher can fill, the machine is the limit: what it did saturated.
  const model = (p, c) => Math.min((p * c) / tRun, sat.perSecond);
  const checks = [];
  for (const [p, c] of [
    [1, 10],
    [1, 20],
    [2, 50],
  ]) {
    const m = await drain(p, c, ACCOUNTS);
    checks.push({ p, c, predicted: model(p, c), measured: m.perSecond });
  }
  const scheduled = [];
  for (const [p, c] of [
    [1, 10],
    [1, 4],
  ])
    scheduled.push({ p, c, capacity: model(p, c), ...(await schedule(p, c)) });
  print({ one, tRun, sat, checks, scheduled });
} finally {
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  redis.disconnect();
  await db.end();
  await dropDatabase(env);
  await proxy.close();
  await dc.stop();
}

/** Start `processes` fetchers, hand them one job per account for the first `accounts`, time it. */
async function drain(processes, concurrency, accounts) {
  seedShare(accounts);
  const workers = await fetchers(processes, concurrency);
  const before = await counters(workers);
  const started = Date.now();
  round++;
  await queue.addBulk(
    ids.slice(0, accounts).map((accountId) => ({
      name: 'fetch.account',
      data: { accountId, trigger: 'manual' },
      opts: { jobId: `fleet-${round}-${accountId}`, removeOnComplete: true, removeOnFail: true },
    })),
  );
  while ((await queue.count()) > 0 || (await queue.getActiveCount()) > 0) await sleep(50);
  const seconds = (Date.now() - started) / 1000;
  await sleep(1500); // PostgreSQL flushes its statistics at most once a second
  const after = await counters(workers);
  await stop(workers);
  const per = (k) => (after[k] - before[k]) / accounts;
  const r = { processes, concurrency, accounts, seconds, perSecond: accounts / seconds };
  for (const k of Object.keys(after)) r[k] = per(k);
  console.error(
    `${processes} × ${concurrency}: ${accounts} runs in ${seconds.toFixed(1)} s (${r.perSecond.toFixed(1)}/s)`,
  );
  return r;
}

/** The real scheduler with every account on its 60 s interval, for SCHEDULE_SECONDS. */
async function schedule(processes, concurrency) {
  await queue.obliterate({ force: true });
  const scheduler = await startCli(['start', '--scheduler'], env);
  const workers = await fetchers(processes, concurrency);
  const lags = new Map();
  const done = new Set();
  const started = Date.now();
  let mailAt = Date.now();
  while (Date.now() - started < SCHEDULE_SECONDS * 1000) {
    await sleep(3000);
    if (Date.now() - mailAt > 60_000) {
      seedShare(ACCOUNTS);
      mailAt = Date.now();
    }
    for (const job of await queue.getJobs(['completed', 'failed'], 0, -1)) {
      // Scheduler jobs are named repeat:<scheduler id>:<due millis>; the first minute fills the schedule.
      const due = Number(job.id.split(':').at(-1));
      if (!job.processedOn || !Number.isFinite(due)) continue;
      if (due > started + 60_000) lags.set(job.id, job.processedOn - due);
      if (job.processedOn > started + 60_000) done.add(job.id);
    }
  }
  const waiting = await queue.getWaitingCount();
  await stop([...workers, scheduler]);
  const values = [...lags.values()].sort((a, b) => a - b);
  const pct = (p) => values[Math.min(values.length - 1, Math.floor(values.length * p))] ?? NaN;
  const seconds = (Date.now() - started) / 1000 - 60;
  return { jobs: done.size, perSecond: done.size / seconds, p50: pct(0.5), p99: pct(0.99), waiting };
}

function fetchers(n, concurrency) {
  return Promise.all(
    Array.from({ length: n }, () =>
      startCli(['start', '--fetcher'], { ...env, MAILDUCT_FETCH_CONCURRENCY: String(concurrency) }),
    ),
  );
}

async function stop(children) {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
}

/** One new 2 KB mail in MAIL_SHARE of the first `accounts` mailboxes (every fifth). */
function seedShare(accounts) {
  for (let u = 1; u <= accounts; u += Math.round(1 / MAIL_SHARE)) dc.seed(`user${u}`, 1, 2000);
}

/**
 * CPU seconds of the machine, the fetchers, PostgreSQL (every postgres process), Redis and this
 * process (the latency proxy and the polling); Redis commands; the bench database's transactions.
 * This bench's own polling (a few commands, one transaction per 50 ms) is counted too: small.
 */
async function counters(workers) {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const busy = ticks.reduce((a, b) => a + b, 0) - ticks[3] - ticks[4];
  const info = await redis.info();
  const field = (name) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)[1]);
  const x = await db.query(
    'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  const own = process.cpuUsage();
  return {
    cpu: busy / 100,
    fetcherCpu: workers.reduce((sum, w) => sum + cpuOf(w.pid), 0),
    pgCpu: cpuOfAll('postgres'),
    redisCpu: field('used_cpu_user') + field('used_cpu_sys'),
    benchCpu: (own.user + own.system) / 1e6,
    redis: field('total_commands_processed'),
    pg: Number(x.rows[0].n),
  };
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function print({ tRun, one, sat, checks, scheduled }) {
  const f = (x, d = 1) => x.toFixed(d);
  const ms = (x) => f(x * 1000);
  console.log(`\n### bench/scale/fleet (${machine()})\n`);
  console.log(
    `${ACCOUNTS.toLocaleString('en')} IMAP accounts, Dovecot behind a 40 ms round trip, ${MAIL_SHARE * 100} % of polls find one 2 KB mail.\n`,
  );
  console.log("Calibration (the model's only inputs, and the costs per run the capacity model scales):\n");
  console.log('| measured | value |');
  console.log('|---|---:|');
  console.log(`| wall time of one run alone (concurrency 1, ${one.accounts} runs) | ${f(tRun * 1000, 0)} ms |`);
  console.log(`| throughput of one fetcher at concurrency 50 (the machine saturated) | ${f(sat.perSecond)} runs/s |`);
  console.log(`| CPU per run, whole machine | ${ms(sat.cpu)} ms |`);
  console.log(`| — fetcher process | ${ms(sat.fetcherCpu)} ms |`);
  console.log(`| — PostgreSQL | ${ms(sat.pgCpu)} ms |`);
  console.log(`| — Redis | ${ms(sat.redisCpu)} ms |`);
  console.log(`| — latency proxy and bench (Node) | ${ms(sat.benchCpu)} ms |`);
  console.log(
    `| — the rest (Dovecot, kernel) | ${ms(sat.cpu - sat.fetcherCpu - sat.pgCpu - sat.redisCpu - sat.benchCpu)} ms |`,
  );
  console.log(`| machine busy when saturated | ${f((sat.cpu * sat.perSecond * 100) / cores, 0)} % of ${cores} cores |`);
  console.log(`| Redis commands per run | ${f(sat.redis)} |`);
  console.log(`| PostgreSQL transactions per run | ${f(sat.pg)} |`);
  console.log(
    `\nModel: runs/s = min(processes × concurrency / ${f(tRun * 1000, 0)} ms, ${f(sat.perSecond)} runs/s).\n`,
  );
  console.log('| fetchers × concurrency | predicted runs/s | measured runs/s | error |');
  console.log('|---|---:|---:|---:|');
  for (const c of checks)
    console.log(
      `| ${c.p} × ${c.c} | ${f(c.predicted)} | ${f(c.measured)} | ${f(((c.measured - c.predicted) / c.predicted) * 100, 0)} % |`,
    );
  const offered = ACCOUNTS / 60;
  console.log(
    `\nScheduled by the real scheduler, every account every 60 s (${f(offered)} jobs/s offered), ${SCHEDULE_SECONDS - 60} s measured after the first minute:\n`,
  );
  console.log(
    '| fetchers × concurrency | model capacity | predicted jobs/s | measured jobs/s | error | lag p50 | lag p99 | waiting at the end |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of scheduled) {
    const predicted = Math.min(offered, r.capacity);
    console.log(
      `| ${r.p} × ${r.c} | ${f(r.capacity)}/s | ${f(predicted)} | ${f(r.perSecond)} | ${f(((r.perSecond - predicted) / predicted) * 100, 0)} % | ${f(r.p50 / 1000)} s | ${f(r.p99 / 1000)} s | ${r.waiting} |`,
    );
  }
}
