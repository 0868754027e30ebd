#!/usr/bin/env node
// bench/push: BENCH_ACCOUNTS (default 1,000) pushed IMAP accounts on one Dovecot and one fetcher
// process (`mailduct start --fetcher`): the fetcher's memory per watched account (RSS with every
// account watched, less RSS with none), its CPU while every connection idles (60 s), and the
// latency from delivering a mail to its ticket job for BENCH_MAILS (default 1,000) mails delivered
// at random times over BENCH_SPREAD_S (default 60) seconds, each to a random account.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SecretBox } from '../../packages/core/dist/crypto/index.js';
import { startDovecot } from '../../test/harness/dovecot.mjs';
import { benchEnv, dropDatabase, freshDatabase, machine, median, startCli } from '../lib.mjs';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS || 1000);
const MAILS = Number(process.env.BENCH_MAILS || 1000);
const SPREAD_S = Number(process.env.BENCH_SPREAD_S || 60);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const cpuTicks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 a second)
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// Dovecot's IDLE learns of new mail through one inotify instance per session; past the kernel's
// per-user limit (often 128) it falls back to looking every mailbox_idle_check_interval (30 s).
// That would measure Dovecot's fallback, not mailduct: raise the limit
// (sysctl -w fs.inotify.max_user_instances=4096).
const inotify = Number(readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8'));
if (inotify < ACCOUNTS + 100)
  console.error(`fs.inotify.max_user_instances is ${inotify}: most IDLE sessions will learn of mail up to 30 s late`);
const dc = await startDovecot({ users: ACCOUNTS, noTls: true });
await dc.configure('service imap {\n  process_limit = 5000\n}\ndefault_process_limit = 5000');
const env = benchEnv('mailduct_bench_push', {
  MAILDUCT_WATCHERS_PER_PROCESS: String(ACCOUNTS),
  // Watchers count against the host's connections: room for every account, and some for fetching.
  MAILDUCT_MAX_CONNECTIONS_PER_HOST: String(ACCOUNTS + 20),
});
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
const password = new SecretBox(env.MAILDUCT_SECRET_KEY).seal(dc.password);
await db.query(
  `INSERT INTO mail_account (type, host, port, username, password_enc, imap_folder, imap_folders, tls_verify, push, updated_at)
   SELECT 'IMAP', '127.0.0.1', $1, 'user' || n, $2, 'INBOX', ARRAY['INBOX'], false, false, now() FROM generate_series(1, $3) AS n`,
  [dc.imapPort, password, ACCOUNTS],
);
const redis = new Redis(env.REDIS_URL);
const prefix = env.MAILDUCT_QUEUE_PREFIX;
// A run before this one left its tickets and leases under the same prefix.
for (const key of await redis.keys(`${prefix}:*`)) await redis.del(key);
const watching = async () => {
  const keys = await redis.keys(`${prefix}:push:watch:*`);
  const values = keys.length ? await redis.mget(...keys) : [];
  return values.filter((v) => v?.includes('"state":"watching"')).length;
};

const fetcher = await startCli(['start', '--fetcher'], env);
await sleep(5000);
const idleRss = rssKiB(fetcher.pid);
await db.query('UPDATE mail_account SET push = true');
const t0 = Date.now();
while ((await watching()) < ACCOUNTS) {
  if (Date.now() - t0 > 300_000) throw new Error(`only ${await watching()} of ${ACCOUNTS} watched after 5 min`);
  await sleep(1000);
}
const allWatchedS = (Date.now() - t0) / 1000;
await sleep(30_000); // the catch-up runs of every new watch end, and their garbage is collected
const watchedRss = rssKiB(fetcher.pid);
const c0 = cpuTicks(fetcher.pid);
await sleep(60_000);
const idleCpuPct = (cpuTicks(fetcher.pid) - c0) / 60; // ticks per second ≈ % of a core

// Delivery → ticket job, for mails at random times.
const delivered = new Map();
const deliveries = Array.from({ length: MAILS }, (_, i) => ({ i, at: Math.random() * SPREAD_S * 1000 })).sort(
  (a, b) => a.at - b.at,
);
const start = Date.now();
for (const d of deliveries) {
  const wait = start + d.at - Date.now();
  if (wait > 0) await sleep(wait);
  const user = `user${1 + Math.floor(Math.random() * ACCOUNTS)}`;
  await dc.seed(user, 1, 600, { prefix: `push-${d.i}` });
  delivered.set(`push-${d.i} message 1`, Date.now());
}
const tickets = new Queue('tickets', { connection: redis, prefix });
const latencies = [];
const deadline = Date.now() + 120_000;
while (latencies.length < MAILS && Date.now() < deadline) {
  await sleep(2000);
  latencies.length = 0;
  for (const job of await tickets.getJobs(['waiting', 'active', 'completed', 'delayed', 'prioritized'])) {
    const at = delivered.get(job.data?.headers?.subject);
    if (at !== undefined) latencies.push((job.timestamp - at) / 1000);
  }
}
console.log(
  JSON.stringify(
    {
      machine: machine(),
      accounts: ACCOUNTS,
      inotify_max_user_instances: inotify,
      all_watched_seconds: allWatchedS,
      rss_kib_idle_process: idleRss,
      rss_kib_all_watched: watchedRss,
      kib_per_watched_account: Math.round(((watchedRss - idleRss) / ACCOUNTS) * 10) / 10,
      idle_cpu_percent_of_a_core: Math.round(idleCpuPct * 100) / 100,
      mails: MAILS,
      tickets_seen: latencies.length,
      latency_p50_s: Math.round(median(latencies) * 1000) / 1000,
      latency_p99_s: Math.round(pct(latencies, 99) * 1000) / 1000,
    },
    null,
    2,
  ),
);
fetcher.kill('SIGTERM');
await sleep(3000);
await tickets.close();
redis.disconnect();
await db.end();
await dc.stop();
await dropDatabase(env);
process.exit(0);
