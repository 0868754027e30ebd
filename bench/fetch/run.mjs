#!/usr/bin/env node
// bench/fetch: on one local Dovecot, (a) a bare client loop that downloads and deletes every
// message (the ceiling: imapflow for IMAP, node-pop3 for POP3) against (b) `mailduct fetch` end
// to end (store in PostgreSQL, dispatch, enqueue, delete), for 2,000 × 10 KiB and 200 × 1 MiB.
// Cold: each pass in a fresh process, timed from inside (start-up excluded), like the CLI.
// Warm: both in one long-lived process after a warm-up pass, like a fetcher worker (warm.mjs).
// Each pair runs BENCH_ROUNDS times (default 3), alternating, and the medians are compared.
// Then the peak RSS above idle while fetching one 32 MiB message.
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import {
  addBenchAccount,
  benchEnv,
  bin,
  dropDatabase,
  freshDatabase,
  jsonOutput,
  lastRunSeconds,
  machine,
  median,
  root,
  startDovecot,
} from '../lib.mjs';

const SETS = [
  { name: '2,000 × 10 KiB', count: Number(process.env.BENCH_SMALL || 2000), size: 10 * 1024 },
  { name: '200 × 1 MiB', count: Number(process.env.BENCH_LARGE || 200), size: 1024 * 1024 },
];
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
/** Only the rows whose "protocol set" contains this text, e.g. "IMAP 2,000" (and no RSS pass). */
const ONLY = process.env.BENCH_ONLY;
const dc = await startDovecot(31000, 5);
const env = benchEnv('mailduct_bench_fetch', { MAILDUCT_MAX_MESSAGE_BYTES: String(40 * 1024 * 1024) });
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
const rows = [];
try {
  for (const protocol of ['IMAP', 'POP3']) {
    for (const set of SETS) {
      if (ONLY && !`${protocol} ${set.name}`.includes(ONLY)) continue;
      const user = protocol === 'IMAP' ? 'user1' : 'user2';
      const port = protocol === 'IMAP' ? dc.imapPort : dc.pop3Port;
      const id = await addBenchAccount(db, env, protocol, port, user);
      const bare = [];
      const run = [];
      const cli = [];
      for (let round = 0; round < ROUNDS; round++) {
        dc.seed(user, set.count, set.size);
        const a = jsonOutput(
          spawnSync(process.execPath, ['bench/fetch/bare.mjs', protocol, String(port), user], {
            cwd: root,
            encoding: 'utf8',
          }),
        );
        if (a.messages !== set.count) throw new Error(`bare ${protocol} got ${a.messages} of ${set.count}`);
        bare.push(a.seconds);
        dc.seed(user, set.count, set.size);
        const t1 = performance.now();
        const res = spawnSync(process.execPath, [bin, 'fetch', '--account-id', String(id)], { env, encoding: 'utf8' });
        cli.push((performance.now() - t1) / 1000);
        if (res.status !== 0 || !res.stdout.includes(`fetched ${set.count},`))
          throw new Error(`mailduct fetch: ${res.stdout}${res.stderr}`);
        run.push(await lastRunSeconds(db, id));
      }
      const warm = jsonOutput(
        spawnSync(
          process.execPath,
          [
            'bench/fetch/warm.mjs',
            protocol,
            String(port),
            user === 'user1' ? 'user3' : 'user4',
            String(set.count),
            String(set.size),
            String(ROUNDS),
          ],
          { cwd: root, env: { ...env, DOVECOT_DIR: dc.dir }, encoding: 'utf8' },
        ),
      );
      rows.push({
        protocol,
        set,
        cold: { bare: median(bare), run: median(run), cli: median(cli) },
        warm: { bare: median(warm.bare), run: median(warm.run) },
      });
      console.error(
        `${protocol} ${set.name}: cold bare ${fmt(bare)} s, mailduct run ${fmt(run)} s (CLI ${fmt(cli)} s); warm bare ${fmt(warm.bare)} s, run ${fmt(warm.run)} s`,
      );
    }
  }
  console.log(`\n### bench/fetch (${machine()}, medians of ${ROUNDS} alternating rounds)\n`);
  console.log(
    '| protocol | messages | cold (a) bare: msgs/s, MB/s | cold (b) mailduct fetch: msgs/s, MB/s | cold b/a | warm (a) bare: msgs/s | warm (b) fetcher: msgs/s | warm b/a | CLI incl. start-up: msgs/s |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const { protocol, set, cold, warm } of rows) {
    const bytes = set.count * set.size;
    const c = (t) => rate(set.count, bytes, t);
    console.log(
      `| ${protocol} | ${set.name} | ${c(cold.bare).msgs}, ${c(cold.bare).mb} | ${c(cold.run).msgs}, ${c(cold.run).mb} | ${(cold.bare / cold.run).toFixed(2)} | ${c(warm.bare).msgs} | ${c(warm.run).msgs} | ${(warm.bare / warm.run).toFixed(2)} | ${c(cold.cli).msgs} |`,
    );
  }
  const rss = ONLY
    ? { stdout: '', stderr: '' }
    : spawnSync(process.execPath, ['bench/fetch/rss.mjs'], {
        env: { ...env, DOVECOT_IMAP_PORT: String(dc.imapPort), DOVECOT_DIR: dc.dir },
        encoding: 'utf8',
        cwd: new URL('../..', import.meta.url).pathname,
      });
  console.log(rss.stdout.trim() || rss.stderr);
} finally {
  await db.end();
  await dropDatabase(env);
  await dc.stop();
}

function fmt(xs) {
  return xs.map((x) => x.toFixed(2)).join(' / ');
}

function rate(count, bytes, seconds) {
  return { msgs: Math.round(count / seconds).toLocaleString('en'), mb: (bytes / 1e6 / seconds).toFixed(1) };
}
