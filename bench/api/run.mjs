#!/usr/bin/env node
// bench/api: 10,000 accounts; filtered lists of 50 and single gets under load from this (second)
// process against `mailduct start --api` running on its own. Reports req/s and p50/p99 latency
// at a steady 1,000 req/s (BENCH_RATE; paced, open loop; target p99 < 25 ms) and the maximum throughput
// (autocannon, 32 connections, unthrottled).
import autocannon from 'autocannon';
import { pacedLoad } from '../paced-load.mjs';
import pg from 'pg';
import { SecretBox } from '../../packages/core/dist/crypto/index.js';
import { benchEnv, dropDatabase, freshDatabase, machine, startCli } from '../lib.mjs';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS || 10_000);
const DURATION = Number(process.env.BENCH_SECONDS || 15);
const RATE = Number(process.env.BENCH_RATE || 1000);
// Steady rows longer than 60 s include the account list's periodic refresh.
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS || DURATION);
const PORT = 3917;
const TOKEN = 'bench-admin-token-0123456789abcdef';
const env = benchEnv('mailduct_bench_api', { MAILDUCT_ADMIN_TOKEN: TOKEN, PORT: String(PORT), HOST: '127.0.0.1' });

await freshDatabase(env);
await seed();
const api = await startCli(['start', '--api'], env);
try {
  const results = [];
  for (const [name, path] of scenarios()) {
    results.push({ name: `${name}, steady ${RATE.toLocaleString('en')} req/s`, ...(await load(path, RATE)) });
    results.push({ name: `${name}, max throughput (32 connections)`, ...(await load(path, 0)) });
  }
  console.log(`\n### bench/api (${ACCOUNTS.toLocaleString('en')} accounts; ${machine()})\n`);
  console.log('| scenario | req/s | p50 ms | p99 ms | max ms | non-2xx |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of results)
    console.log(`| ${r.name} | ${r.rps.toLocaleString('en')} | ${r.p50} | ${r.p99} | ${r.max} | ${r.errors} |`);
} finally {
  api.kill('SIGTERM');
  await new Promise((r) => api.once('exit', r));
  await dropDatabase(env);
}

function scenarios() {
  const filters = ['mail3', 'agent12', 'pop3s', 'nordic', 'example.com', 'imap'];
  let i = 0;
  return [
    [
      'filtered list of 50 (q varies, includeInvalid=false)',
      () => `/api/v1/mail-accounts?q=${filters[i++ % filters.length]}&includeInvalid=false&limit=50`,
    ],
    ['get one account by id', () => `/api/v1/mail-accounts/${1 + Math.floor(Math.random() * ACCOUNTS)}`],
  ];
}

async function load(pathOf, rate) {
  // Warm-up: JIT, connection pools, PostgreSQL caches.
  await run(pathOf, 0, 2);
  if (rate > 0) {
    const r = await pacedLoad({
      url: `http://127.0.0.1:${PORT}`,
      rate,
      seconds: STEADY_SECONDS,
      path: pathOf,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return { rps: r.rps, p50: r.p50, p99: r.p99, max: r.max, errors: r.errors };
  }
  const r = await run(pathOf, 0, DURATION);
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.non2xx + r.errors,
  };
}

function run(pathOf, rate, duration) {
  return autocannon({
    url: `http://127.0.0.1:${PORT}`,
    connections: 32,
    duration,
    headers: { authorization: `Bearer ${TOKEN}` },
    requests: [{ setupRequest: (req) => ({ ...req, path: pathOf() }) }],
  });
}

async function seed() {
  const types = ['IMAP', 'IMAPS', 'IMAPTLS', 'POP3', 'POP3S', 'POP3TLS'];
  const envelope = new SecretBox(env.MAILDUCT_SECRET_KEY).seal('bench-password');
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  for (let start = 0; start < ACCOUNTS; start += 1000) {
    const rows = [];
    const values = [];
    for (let i = start; i < Math.min(start + 1000, ACCOUNTS); i++) {
      const type = types[i % 6];
      values.push(
        type,
        `mail${i % 100}.example.com`,
        `agent${i}`,
        envelope,
        type.startsWith('IMAP') ? 'INBOX' : null,
        i % 7 === 0 ? 'invalid' : 'valid',
        i % 10 === 0 ? `Team Nordic ${i}` : null,
      );
      const o = rows.length * 7;
      rows.push(
        `($${o + 1}::"AccountType", $${o + 2}, $${o + 3}, $${o + 4}, $${o + 5}, $${o + 6}::"Validity", $${o + 7})`,
      );
    }
    await client.query(
      `INSERT INTO mail_account (type, host, username, password_enc, imap_folder, validity, comment) VALUES ${rows.join(',')}`,
      values,
    );
  }
  await client.query('ANALYZE mail_account');
  await client.end();
}
