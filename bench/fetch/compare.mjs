#!/usr/bin/env node
// bench/fetch/compare: `mailduct fetch` of two or more builds against the bare client, on one
// local Dovecot and one database, alternating within each round, so a change is measured against
// what it replaces under the same machine conditions (this machine's speed drifts by 10–20 %
// within minutes). Each build is a checkout's bin/mailduct.js (e.g. a `git worktree` of the
// commit before, built with `npm run build`); the default is this checkout alone. Both builds
// must share the database schema. Prints the median seconds (FetchRun row, start-up excluded),
// b/a and every round. BENCH_DELAY_MS puts a proxy in front of Dovecot that delays every chunk by
// that much each way (a mail server across a WAN), for both clients.
//   node bench/fetch/compare.mjs [IMAP|POP3] [count] [size] [rounds] [bin ...]
import { spawn, spawnSync } from 'node:child_process';
import pg from 'pg';
import { startLatencyProxy } from '../latency-proxy.mjs';
import {
  addBenchAccount,
  benchEnv,
  bin,
  dropDatabase,
  freshDatabase,
  jsonOutput,
  lastRunSeconds,
  median,
  root,
  startDovecot,
} from '../lib.mjs';

const [protocol = 'IMAP', count = '2000', size = '10240', rounds = '5', ...bins] = process.argv.slice(2);
const builds = bins.length > 0 ? bins : [bin];
const dc = await startDovecot(34000, 1);
const env = benchEnv('mailduct_bench_compare', { MAILDUCT_MAX_MESSAGE_BYTES: String(40 * 1024 * 1024) });
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
try {
  const serverPort = protocol === 'IMAP' ? dc.imapPort : dc.pop3Port;
  const delay = Number(process.env.BENCH_DELAY_MS || 0);
  const proxy = delay > 0 ? await startLatencyProxy(serverPort, delay) : null;
  const port = proxy?.port ?? serverPort;
  const id = await addBenchAccount(db, env, protocol, port, 'user1');
  const seconds = { bare: [], ...Object.fromEntries(builds.map((b) => [b, []])) };
  for (let round = 0; round < Number(rounds); round++) {
    dc.seed('user1', Number(count), Number(size));
    seconds.bare.push(
      jsonOutput(await run(['bench/fetch/bare.mjs', protocol, String(port), 'user1'], { cwd: root })).seconds,
    );
    for (const build of builds) {
      // Every build starts from the same state: no stored mail, no waiting tickets.
      await db.query('TRUNCATE inbound_message, fetch_run');
      spawnSync(
        'sh',
        [
          '-c',
          `redis-cli -u "$REDIS_URL" --scan --pattern "$MAILDUCT_QUEUE_PREFIX:tickets*" | xargs -r -n 1000 redis-cli -u "$REDIS_URL" del >/dev/null`,
        ],
        { env },
      );
      dc.seed('user1', Number(count), Number(size));
      const res = await run([build, 'fetch', '--account-id', String(id)], { env });
      if (res.status !== 0) throw new Error(`${build} fetch: ${res.stdout}${res.stderr}`);
      seconds[build].push(await lastRunSeconds(db, id));
    }
  }
  const bare = median(seconds.bare);
  proxy?.close();
  console.log(
    `${protocol} ${Number(count).toLocaleString('en')} × ${size} B${delay > 0 ? `, ${delay} ms each way` : ''}, medians of ${rounds} alternating rounds`,
  );
  for (const [name, xs] of Object.entries(seconds)) {
    console.log(
      `${name.padEnd(40)} ${median(xs).toFixed(3)} s  b/a ${(bare / median(xs)).toFixed(2)}  (${xs.map((x) => x.toFixed(2)).join(' ')})`,
    );
  }
} finally {
  await db.end();
  await dropDatabase(env);
  await dc.stop();
}

/** Run node with `args` without blocking this process (the latency proxy forwards from here). */
function run(args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
