#!/usr/bin/env node
// bench/scheduler/drain: 1,000 IMAP accounts × 5 messages on Dovecot behind a proxy adding 20 ms
// each way; time until every mailbox is empty, with 1 and 2 fetcher processes and concurrency
// 1, 10 and 50. Concurrency 1 runs on the first 100 accounts (1,000 would take ~7 minutes).
import { spawn } from 'node:child_process';
import { readdirSync, renameSync, writeFileSync, chownSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SecretBox } from '../../packages/core/dist/crypto/index.js';
import { benchEnv, bin, dropDatabase, freshDatabase, machine, startDovecot } from '../lib.mjs';
import { startLatencyProxy } from '../latency-proxy.mjs';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS || 1000);
const PER = 5;
const dc = await startDovecot(33000, ACCOUNTS);
const proxy = await startLatencyProxy(dc.imapPort, 20);
const env = benchEnv('mailduct_bench_drain', { MAILDUCT_MAX_CONNECTIONS_PER_HOST: '1000', LOG_LEVEL: 'warn' });
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
const envelope = new SecretBox(env.MAILDUCT_SECRET_KEY).seal('password');
await db.query(
  `INSERT INTO mail_account (type, host, port, username, password_enc, imap_folder) SELECT 'IMAP', '127.0.0.1', $1, 'user' || i, $2, 'INBOX' FROM generate_series(1, $3) i`,
  [proxy.port, envelope, ACCOUNTS],
);
const ids = (await db.query('SELECT id FROM mail_account ORDER BY id')).rows.map((r) => r.id);
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue('fetch', { connection: redis, prefix: env.MAILDUCT_QUEUE_PREFIX });
const results = [];
try {
  for (const [processes, concurrency, accounts] of [
    [1, 1, 100],
    [1, 10, ACCOUNTS],
    [2, 10, ACCOUNTS],
    [1, 50, ACCOUNTS],
    [2, 50, ACCOUNTS],
  ]) {
    seed(accounts);
    const workers = await Promise.all(Array.from({ length: processes }, () => startWorker(concurrency)));
    const started = Date.now();
    await queue.addBulk(
      ids.slice(0, accounts).map((accountId) => ({
        name: 'fetch.account',
        data: { accountId, trigger: 'manual' },
        opts: { jobId: `drain-${processes}-${concurrency}-${accountId}` },
      })),
    );
    while (remaining(accounts) > 0) await new Promise((r) => setTimeout(r, 100));
    const seconds = (Date.now() - started) / 1000;
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
    results.push({ processes, concurrency, accounts, seconds });
    console.error(`${processes} × ${concurrency}: ${accounts} accounts in ${seconds.toFixed(1)} s`);
  }
  const base = results.find((r) => r.processes === 1 && r.concurrency === 10).seconds;
  console.log(`\n### bench/scheduler/drain (${machine()})\n`);
  console.log(
    `IMAP accounts × ${PER} messages of 2 KB, Dovecot behind a proxy adding 20 ms each way (40 ms round trip).\n`,
  );
  console.log(
    '| fetcher processes | concurrency each | accounts | drain time | accounts/s | messages/s | speed-up vs 1 × 10 |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const perAccount = r.seconds / r.accounts;
    console.log(
      `| ${r.processes} | ${r.concurrency} | ${r.accounts.toLocaleString('en')} | ${r.seconds.toFixed(1)} s | ${(r.accounts / r.seconds).toFixed(1)} | ${((r.accounts * PER) / r.seconds).toFixed(0)} | ${(base / ACCOUNTS / perAccount).toFixed(2)}× |`,
    );
  }
} finally {
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  redis.disconnect();
  await db.end();
  await dropDatabase(env);
  await proxy.close();
  await dc.stop();
}

function startWorker(concurrency) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'start', '--fetcher'], {
      env: { ...env, MAILDUCT_FETCH_CONCURRENCY: String(concurrency), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('mailduct started')) resolve(child);
    });
    child.on('exit', (c) => reject(new Error(`fetcher exited ${c}`)));
  });
}

// Messages straight into each Maildir, like test/harness/dovecot.mjs seeds them (one process, not 1,000).
function seed(accounts) {
  for (let u = 1; u <= accounts; u++) {
    const md = join(dc.dir, 'mail', `user${u}`, 'Maildir');
    const owner = statSync(md);
    for (let i = 1; i <= PER; i++) {
      const name = `${Math.floor(Date.now() / 1000)}.M${u}x${i}P${process.pid}R${Math.random().toString(16).slice(2, 8)}.bench`;
      const body = `From: a@x.test\nTo: user${u}@x.test\nSubject: drain ${u}/${i}\nMessage-ID: <drain-${u}-${i}-${name}@x>\n\n${'line of text for the drain benchmark\n'.repeat(50)}`;
      writeFileSync(join(md, 'tmp', name), body);
      renameSync(join(md, 'tmp', name), join(md, 'new', name));
      if (process.getuid?.() === 0) chownSync(join(md, 'new', name), owner.uid, owner.gid);
    }
  }
}

function remaining(accounts) {
  let n = 0;
  for (let u = 1; u <= accounts; u++)
    for (const sub of ['new', 'cur']) n += readdirSync(join(dc.dir, 'mail', `user${u}`, 'Maildir', sub)).length;
  return n;
}
