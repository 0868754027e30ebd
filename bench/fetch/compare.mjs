#!/usr/bin/env node
// bench/fetch/compare: `mailduct fetch` of two or more builds against the bare client, on one
// local Dovecot and one database, alternating within each round, so a change is measured against
// what it replaces under the same machine conditions (this machine's speed drifts by 10–20 %
// within minutes). Each build is a checkout's bin/mailduct.js (e.g. a `git worktree` of the
// commit before, built with `npm run build`); the default is this checkout alone. Both builds
// must share the database schema. Prints the median seconds (FetchRun row, start-up excluded),
// b/a and every round.
//   node bench/fetch/compare.mjs [IMAP|POP3] [count] [size] [rounds] [bin ...]
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { addBenchAccount, benchEnv, bin, dropDatabase, freshDatabase, jsonOutput, lastRunSeconds, median, root, startDovecot } from '../lib.mjs';

const [protocol = 'IMAP', count = '2000', size = '10240', rounds = '5', ...bins] = process.argv.slice(2);
const builds = bins.length > 0 ? bins : [bin];
const dc = await startDovecot(34000, 1);
const env = benchEnv('mailduct_bench_compare', { MAILDUCT_MAX_MESSAGE_BYTES: String(40 * 1024 * 1024) });
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
try {
  const port = protocol === 'IMAP' ? dc.imapPort : dc.pop3Port;
  const id = await addBenchAccount(db, env, protocol, port, 'user1');
  const seconds = { bare: [], ...Object.fromEntries(builds.map((b) => [b, []])) };
  for (let round = 0; round < Number(rounds); round++) {
    dc.seed('user1', Number(count), Number(size));
    seconds.bare.push(jsonOutput(spawnSync(process.execPath, ['bench/fetch/bare.mjs', protocol, String(port), 'user1'], { cwd: root, encoding: 'utf8' })).seconds);
    for (const build of builds) {
      // Every build starts from the same state: no stored mail, no waiting tickets.
      await db.query('TRUNCATE inbound_message, fetch_run');
      spawnSync('sh', ['-c', `redis-cli -u "$REDIS_URL" --scan --pattern "$MAILDUCT_QUEUE_PREFIX:tickets*" | xargs -r -n 1000 redis-cli -u "$REDIS_URL" del >/dev/null`], { env });
      dc.seed('user1', Number(count), Number(size));
      const res = spawnSync(process.execPath, [build, 'fetch', '--account-id', String(id)], { env, encoding: 'utf8' });
      if (res.status !== 0) throw new Error(`${build} fetch: ${res.stdout}${res.stderr}`);
      seconds[build].push(await lastRunSeconds(db, id));
    }
  }
  const bare = median(seconds.bare);
  console.log(`${protocol} ${Number(count).toLocaleString('en')} × ${size} B, medians of ${rounds} alternating rounds`);
  for (const [name, xs] of Object.entries(seconds)) {
    console.log(`${name.padEnd(40)} ${median(xs).toFixed(3)} s  b/a ${(bare / median(xs)).toFixed(2)}  (${xs.map((x) => x.toFixed(2)).join(' ')})`);
  }
} finally {
  await db.end();
  await dropDatabase(env);
  dc.stop();
}
