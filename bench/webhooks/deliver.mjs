#!/usr/bin/env node
// bench/webhooks: ticket jobs added to the `tickets` queue at BENCH_RATE a second (default
// 1,000) for BENCH_SECONDS (default 30), taken by BENCH_PROCESSES (default 1) webhooks processes
// (`mailduct start --webhooks`, MAILDUCT_FORWARD_TICKETS=true) and posted as signed
// ticket.dispatched events to a receiver on loopback: events delivered a second, and the delay
// from adding the ticket job to the receiver having the event (p50, p99, max).
import { createServer } from 'node:http';
import pg from 'pg';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SecretBox } from '../../packages/core/dist/crypto/index.js';
import { newWebhookSecret } from '../../packages/core/dist/webhooks/index.js';
import { benchEnv, dropDatabase, freshDatabase, machine, startCli, sampleTicket } from '../lib.mjs';

const RATE = Number(process.env.BENCH_RATE || 1000);
const SECONDS = Number(process.env.BENCH_SECONDS || 30);
const PROCESSES = Number(process.env.BENCH_PROCESSES || 1);
const CONCURRENCY = process.env.BENCH_CONCURRENCY || '50';
const EVENTS = RATE * SECONDS;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// The receiver: the time each event (by its webhook-id) first arrived.
const arrived = new Map();
let requests = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    requests++;
    const id = req.headers['webhook-id'];
    if (!arrived.has(id)) arrived.set(id, performance.now());
    res.writeHead(204).end();
  });
});
receiver.keepAliveTimeout = 60_000;
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));

const env = benchEnv('mailduct_bench_webhooks', {
  MAILDUCT_FORWARD_TICKETS: 'true',
  MAILDUCT_WEBHOOK_ALLOW_PRIVATE: 'true',
  MAILDUCT_WEBHOOK_ALLOW_HTTP: 'true',
  MAILDUCT_WEBHOOK_CONCURRENCY: CONCURRENCY,
});
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
await db.query(
  `INSERT INTO webhook (url, events, secret_enc, updated_at) VALUES ($1, ARRAY['ticket.dispatched'], $2, now())`,
  [
    `http://127.0.0.1:${receiver.address().port}/tickets`,
    new SecretBox(env.MAILDUCT_SECRET_KEY).seal(newWebhookSecret()),
  ],
);
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const prefix = env.MAILDUCT_QUEUE_PREFIX;
for (const key of await redis.keys(`${prefix}:*`)) await redis.del(key);
const tickets = new Queue('tickets', { connection: redis, prefix });
const roles = [];
for (let i = 0; i < PROCESSES; i++) roles.push(await startCli(['start', '--webhooks'], env));

const ticket = (messageId) => sampleTicket(messageId);

// Paced: a batch every 10 ms, as many as the rate says by now.
const added = new Array(EVENTS + 1);
const start = performance.now();
let next = 1;
while (next <= EVENTS) {
  const due = Math.min(EVENTS, Math.floor(((performance.now() - start) / 1000) * RATE));
  if (due >= next) {
    const batch = [];
    for (; next <= due; next++)
      batch.push({ name: 'ticket.dispatched', data: ticket(next), opts: { jobId: `t-${next}` } });
    const at = performance.now();
    await tickets.addBulk(batch);
    for (const j of batch) added[j.data.messageId] = at;
  }
  await sleep(10);
}
const addedS = (performance.now() - start) / 1000;
const deadline = performance.now() + 600_000;
while (arrived.size < EVENTS && performance.now() < deadline) await sleep(200);
const lastArrival = Math.max(...arrived.values());
const delays = [...arrived.entries()].map(([id, at]) => at - added[Number(id.split('_').pop())]).sort((a, b) => a - b);

console.log(`bench/webhooks (${machine()})`);
console.log(
  `${EVENTS} ticket.dispatched at ${RATE}/s for ${SECONDS} s (added in ${addedS.toFixed(1)} s), ${PROCESSES} webhooks process(es), concurrency ${CONCURRENCY}`,
);
console.log(
  `delivered ${arrived.size} events (${requests} requests) in ${((lastArrival - start) / 1000).toFixed(1)} s: ${Math.round(arrived.size / ((lastArrival - start) / 1000))} a second`,
);
console.log(
  `delay from ticket job to receiver: p50 ${Math.round(pct(delays, 50))} ms, p99 ${Math.round(pct(delays, 99))} ms, max ${Math.round(delays[delays.length - 1])} ms`,
);

for (const r of roles) r.kill('SIGTERM');
await sleep(1000);
await tickets.close();
redis.disconnect();
await db.end();
await dropDatabase(env);
receiver.close();
process.exit(0);
