#!/usr/bin/env node
// bench/fetch: on one local Dovecot, (a) a bare client loop that downloads and deletes every
// message (the ceiling: imapflow for IMAP, node-pop3 for POP3) against (b) `mailduct fetch` end
// to end (store in PostgreSQL, dispatch, enqueue, delete), for 2,000 × 10 KiB and 200 × 1 MiB.
// Then the peak RSS above idle while fetching one 32 MiB message.
import { spawnSync } from 'node:child_process';
import { ImapFlow } from 'imapflow';
import Pop3Command from 'node-pop3';
import pg from 'pg';
import { SecretBox } from '../../packages/core/dist/crypto/index.js';
import { benchEnv, bin, dropDatabase, freshDatabase, machine, startDovecot } from '../lib.mjs';

const SETS = [
  { name: '2,000 × 10 KiB', count: Number(process.env.BENCH_SMALL || 2000), size: 10 * 1024 },
  { name: '200 × 1 MiB', count: Number(process.env.BENCH_LARGE || 200), size: 1024 * 1024 },
];
const dc = await startDovecot(31000, 4);
const env = benchEnv('mailduct_bench_fetch', { MAILDUCT_MAX_MESSAGE_BYTES: String(40 * 1024 * 1024) });
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
const envelope = new SecretBox(env.MAILDUCT_SECRET_KEY).seal('password');
const rows = [];
try {
  for (const protocol of ['IMAP', 'POP3']) {
    for (const set of SETS) {
      const user = protocol === 'IMAP' ? 'user1' : 'user2';
      dc.seed(user, set.count, set.size);
      const bytes = set.count * set.size;
      const t0 = performance.now();
      const got = protocol === 'IMAP' ? await bareImap(user) : await barePop3(user);
      const bare = (performance.now() - t0) / 1000;
      if (got !== set.count) throw new Error(`bare ${protocol} got ${got} of ${set.count}`);
      dc.seed(user, set.count, set.size);
      const id = await account(protocol, user);
      const t1 = performance.now();
      const res = spawnSync(process.execPath, [bin, 'fetch', '--account-id', String(id)], { env, encoding: 'utf8' });
      const wall = (performance.now() - t1) / 1000;
      if (res.status !== 0 || !res.stdout.includes(`fetched ${set.count},`)) throw new Error(`mailduct fetch: ${res.stdout}${res.stderr}`);
      const run = (await db.query('SELECT extract(epoch FROM finished_at - started_at) AS s FROM fetch_run WHERE account_id = $1 ORDER BY id DESC LIMIT 1', [id])).rows[0];
      const pipeline = Number(run.s);
      rows.push({ protocol, set: set.name, bare: rate(set.count, bytes, bare), run: rate(set.count, bytes, pipeline), cli: rate(set.count, bytes, wall), ratio: bare / pipeline });
      console.error(`${protocol} ${set.name}: bare ${bare.toFixed(2)} s, mailduct run ${pipeline.toFixed(2)} s (CLI ${wall.toFixed(2)} s)`);
    }
  }
  console.log(`\n### bench/fetch (${machine()})\n`);
  console.log('| protocol | messages | (a) bare client: msgs/s, MB/s | (b) mailduct fetch run: msgs/s, MB/s | b/a | whole CLI incl. start-up: msgs/s |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.protocol} | ${r.set} | ${r.bare.msgs}, ${r.bare.mb} | ${r.run.msgs}, ${r.run.mb} | ${r.ratio.toFixed(2)} | ${r.cli.msgs} |`);
  const rss = spawnSync(process.execPath, ['bench/fetch/rss.mjs'], { env: { ...env, DOVECOT_IMAP_PORT: String(dc.imapPort), DOVECOT_DIR: dc.dir }, encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
  console.log(rss.stdout.trim() || rss.stderr);
} finally {
  await db.end();
  await dropDatabase(env);
  dc.stop();
}

function rate(count, bytes, seconds) {
  return { msgs: Math.round(count / seconds).toLocaleString('en'), mb: (bytes / 1e6 / seconds).toFixed(1) };
}

async function account(type, user) {
  const port = type === 'IMAP' ? dc.imapPort : dc.pop3Port;
  const r = await db.query(`INSERT INTO mail_account (type, host, port, username, password_enc, imap_folder, dispatch_by) VALUES ($1::"AccountType", '127.0.0.1', $2, $3, $4, $5, 'to') RETURNING id`, [type, port, user, envelope, type === 'IMAP' ? 'INBOX' : null]);
  return r.rows[0].id;
}

async function bareImap(user) {
  const client = new ImapFlow({ host: '127.0.0.1', port: dc.imapPort, secure: false, doSTARTTLS: false, auth: { user, pass: 'password' }, logger: false });
  await client.connect();
  await client.mailboxOpen('INBOX');
  let n = 0;
  const uids = [];
  for await (const m of client.fetch('1:*', { uid: true, source: true })) {
    if (m.source.length > 0) n++;
    uids.push(m.uid);
  }
  await client.messageDelete(uids.join(','), { uid: true });
  await client.logout();
  return n;
}

async function barePop3(user) {
  const pop3 = new Pop3Command({ host: '127.0.0.1', port: dc.pop3Port, user, password: 'password' });
  const list = await pop3.UIDL();
  let n = 0;
  for (const [num] of list) {
    const text = await pop3.RETR(num);
    if (text.length > 0) n++;
    await pop3.DELE(num);
  }
  await pop3.QUIT();
  return n;
}
