#!/usr/bin/env node
// bench/keep/kept: what a run costs on a kept mailbox of 100,000 messages with 10 new ones, against
// a mailbox holding only those 10, and against listing the whole folder (what a run without a
// cursor would pay before downloading anything). ROUNDS alternating rounds; each delivers 10 new
// messages to both mailboxes. Bytes are what the mail server sent, counted by a TCP proxy.
// Env: BENCH_KEPT (default 100000), BENCH_ROUNDS (default 5), DATABASE_URL, REDIS_URL.
import net from 'node:net';
import { loadConfig } from '../../packages/core/dist/config/index.js';
import { createInfrastructure } from '../../packages/core/dist/infrastructure/index.js';
import { createLogger } from '../../packages/core/dist/log/index.js';
import { ImapMailboxClient, DEFAULT_TIMEOUTS } from '../../packages/core/dist/mail/index.js';
import { createFetchRuntime } from '../../apps/fetcher/dist/index.js';
import { startDovecot } from '../../test/harness/dovecot.mjs';
import { benchEnv, dropDatabase, freshDatabase, machine, median } from '../lib.mjs';

const KEPT = Number(process.env.BENCH_KEPT || 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);

/** A TCP proxy in front of the mail server that counts the bytes it sends. */
function countingProxy(port) {
  const counter = { bytes: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    upstream.on('data', (d) => (counter.bytes += d.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => (client.destroy(), upstream.destroy());
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, counter, server })),
  );
}

const dc = await startDovecot({ users: 2, noTls: true });
const [keptUser, smallUser] = dc.users;
const env = benchEnv('mailduct_bench_keep');
await freshDatabase(env);
const config = loadConfig(env);
const infra = createInfrastructure(config, { poolSize: 4 });
const runtime = createFetchRuntime(infra, createLogger({ level: 'silent' }));
const keptProxy = await countingProxy(dc.imapPort);
const smallProxy = await countingProxy(dc.imapPort);

const small = (i) =>
  `From: bench@example.test\nTo: desk@example.test\nSubject: kept ${i}\nMessage-ID: <kept-${i}@example.test>\n\n${'The quick brown fox. '.repeat(40)}\n`;
let t0 = performance.now();
dc.writeMessages(
  keptUser,
  (function* () {
    for (let i = 0; i < KEPT; i++) yield small(i);
  })(),
);
const written = (performance.now() - t0) / 1000;

const account = (user, port, afterFetch) =>
  infra.prisma.mailAccount.create({
    data: {
      type: 'IMAP',
      host: '127.0.0.1',
      port,
      username: user,
      passwordEnc: infra.secrets.seal(dc.password),
      imapFolder: 'INBOX',
      imapFolders: ['INBOX'],
      afterFetch,
      tlsVerify: false,
    },
  });
const kept = await account(keptUser, keptProxy.port, 'keep');
const only10 = await account(smallUser, smallProxy.port, 'delete');

/** A session that only logs in and SELECTs the folder: what the server costs before anything is asked. */
async function selectOnly(user, proxy) {
  const client = clientOf(user, proxy);
  const t = performance.now();
  await client.connect();
  await client.close();
  return { seconds: (performance.now() - t) / 1000 };
}

function clientOf(user, proxy) {
  return new ImapMailboxClient({
    host: '127.0.0.1',
    port: proxy.port,
    username: user,
    password: dc.password,
    security: 'plain',
    tlsVerify: false,
    timeouts: DEFAULT_TIMEOUTS,
    maxMessageBytes: 32 * 1024 * 1024,
    folder: 'INBOX',
  });
}

/** Listing the whole folder (UID SEARCH and the large ones' sizes), as a run without a cursor does first. */
async function listEverything() {
  const client = clientOf(keptUser, keptProxy);
  const before = keptProxy.counter.bytes;
  const t = performance.now();
  await client.connect();
  const n = (await client.list({ exactAbove: 64 * 1024 })).length;
  await client.close();
  return { seconds: (performance.now() - t) / 1000, bytes: keptProxy.counter.bytes - before, n };
}

// The kept mailbox as after its first run: the cursor at its last UID (its mail fetched before).
const warm = await listEverything(); // also lets Dovecot index the folder once
const status = await dc.doveadm('mailbox', 'status', '-u', keptUser, 'uidvalidity uidnext', 'INBOX');
const uidValidity = Number(/uidvalidity=(\d+)/.exec(status)[1]);
const lastUid = Number(/uidnext=(\d+)/.exec(status)[1]) - 1;
await infra.prisma.folderCursor.create({ data: { accountId: kept.id, folder: 'INBOX', uidValidity, lastUid } });

async function run(accountId, proxy) {
  const before = proxy.counter.bytes;
  const t = performance.now();
  const outcome = await runtime.service.fetchAccount({ accountId, trigger: 'cli' });
  const seconds = (performance.now() - t) / 1000;
  if (outcome.outcome !== 'success' || outcome.counts.fetched !== 10) throw new Error(JSON.stringify(outcome));
  return { seconds, bytes: proxy.counter.bytes - before };
}

const results = { kept: [], only10: [], listAll: [], selectKept: [], select10: [] };
for (let round = -1; round < ROUNDS; round++) {
  dc.seed(keptUser, 10, 2000, { prefix: `new-${round}` });
  dc.seed(smallUser, 10, 2000, { prefix: `new-${round}` });
  const a = await run(kept.id, keptProxy);
  const b = await run(only10.id, smallProxy);
  const c = await listEverything();
  const d = await selectOnly(keptUser, keptProxy);
  const e = await selectOnly(smallUser, smallProxy);
  if (round < 0) continue; // warm-up
  results.selectKept.push(d);
  results.select10.push(e);
  results.kept.push(a);
  results.only10.push(b);
  results.listAll.push(c);
}
const med = (xs, k) => Math.round(median(xs.map((x) => x[k])) * 1000) / 1000;
console.log(
  JSON.stringify(
    {
      machine: machine(),
      kept: KEPT,
      written_seconds: Math.round(written * 10) / 10,
      first_listing_seconds: Math.round(warm.seconds * 100) / 100,
      kept_plus_10: { seconds: med(results.kept, 'seconds'), bytes: med(results.kept, 'bytes') },
      mailbox_of_10: { seconds: med(results.only10, 'seconds'), bytes: med(results.only10, 'bytes') },
      select_only_kept: med(results.selectKept, 'seconds'),
      select_only_10: med(results.select10, 'seconds'),
      list_everything: { seconds: med(results.listAll, 'seconds'), bytes: med(results.listAll, 'bytes') },
      ratio_to_10: Math.round((med(results.kept, 'seconds') / med(results.only10, 'seconds')) * 100) / 100,
    },
    null,
    2,
  ),
);
await infra.close();
keptProxy.server.close();
smallProxy.server.close();
await dc.stop();
await dropDatabase(env);
process.exit(0);
