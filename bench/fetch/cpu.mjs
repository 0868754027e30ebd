#!/usr/bin/env node
// bench/fetch/cpu: where the CPU goes in bench/fetch's cold rows, and the best b/a this machine
// allows. On one local Dovecot mailbox, seeded before each pass, ROUNDS alternating passes of
// (a) the bare client (bare.mjs) and (b) `mailduct fetch`; for each, the CPU every process on the
// machine used meanwhile (children that were waited for included), grouped: the client's node,
// dovecot (with its imap/pop3 children), postgres, redis-server, and everything else.
// The clients are counted without their start-up: bare.mjs reports its own CPU; for the CLI, the
// CPU of a run on an empty mailbox (start-up, connect, list, record) is subtracted.
// The bound: (b) does at least what (a) does (a client downloads the mail, the mail server serves
// and deletes it) plus what PostgreSQL and Redis do in (b). On C cores, (b) cannot take less than
// that CPU / C, so b/a cannot be better than (a)'s seconds divided by it.
//   node bench/fetch/cpu.mjs [IMAP|POP3] [count] [size] [rounds]
// NODE_ARGS adds options to the CLI's node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"); SHOW_STDERR=1
// passes the CLI's stderr through.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import pg from 'pg';
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

const [protocol = 'IMAP', count = '2000', size = '10240', rounds = '3'] = process.argv.slice(2);
const TICK_S = 0.01; // /proc/<pid>/stat counts clock ticks of 1/100 s
const CORES = cpus().length;
const DOVECOT = /^(dovecot|imap|imap-login|pop3|pop3-login|auth|anvil|config|log|stats)$/;
const dc = await startDovecot(32000, 1);
const env = benchEnv('mailduct_bench_cpu', { MAILDUCT_MAX_MESSAGE_BYTES: String(40 * 1024 * 1024) });
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
try {
  const port = protocol === 'IMAP' ? dc.imapPort : dc.pop3Port;
  const id = await addBenchAccount(db, env, protocol, port, 'user1');
  const nodeArgs = process.env.NODE_ARGS ? process.env.NODE_ARGS.split(' ') : [];
  const fetchCli = () => {
    const res = spawnSync(process.execPath, [...nodeArgs, bin, 'fetch', '--account-id', String(id)], {
      env,
      encoding: 'utf8',
    });
    if (res.status !== 0) throw new Error(`mailduct fetch: ${res.stdout}${res.stderr}`);
    if (process.env.SHOW_STDERR) process.stderr.write(res.stderr);
  };
  // The CLI's CPU without messages: start-up, connect, list, record the run (median of 3).
  const startUp = median([0, 1, 2].map(() => measured(fetchCli).node));
  const a = [];
  const b = [];
  for (let round = 0; round < Number(rounds); round++) {
    dc.seed('user1', Number(count), Number(size));
    let bare;
    const usedA = measured(() => {
      bare = jsonOutput(
        spawnSync(process.execPath, ['bench/fetch/bare.mjs', protocol, String(port), 'user1'], {
          cwd: root,
          encoding: 'utf8',
        }),
      );
    });
    a.push({ seconds: bare.seconds, ...usedA, node: bare.cpuSeconds });
    dc.seed('user1', Number(count), Number(size));
    const usedB = measured(fetchCli);
    b.push({ seconds: await lastRunSeconds(db, id), ...usedB, node: usedB.node - startUp });
    console.error(`round ${round + 1}: (a) ${line(a.at(-1))}; (b) ${line(b.at(-1))}`);
  }
  const ma = medians(a);
  const mb = medians(b);
  const need = ma.node + ma.dovecot + mb.postgres + mb['redis-server'];
  const floor = need / CORES;
  console.log(
    `\n${protocol} ${Number(count).toLocaleString('en')} × ${size} B, medians of ${rounds} (CPU in seconds; CLI start-up ${startUp.toFixed(2)} s of CPU subtracted)`,
  );
  console.log(`(a) bare client: ${line(ma)}`);
  console.log(`(b) mailduct:    ${line(mb)}`);
  console.log(
    `bound: (b) needs at least client(a) ${ma.node.toFixed(2)} + dovecot(a) ${ma.dovecot.toFixed(2)} + postgres(b) ${mb.postgres.toFixed(2)} + redis(b) ${mb['redis-server'].toFixed(2)} = ${need.toFixed(2)} s of CPU, ` +
      `so on ${CORES} cores at least ${floor.toFixed(2)} s: b/a ≤ ${(ma.seconds / floor).toFixed(2)} (measured ${(ma.seconds / mb.seconds).toFixed(2)})`,
  );
} finally {
  await db.end();
  await dropDatabase(env);
  await dc.stop();
}

/** Run `fn` and return the CPU seconds each group of processes used meanwhile. */
function measured(fn) {
  const before = cpuByProcess();
  fn();
  const after = cpuByProcess();
  const used = { node: 0, dovecot: 0, postgres: 0, 'redis-server': 0, other: 0 };
  for (const [pid, now] of after) {
    const ticks = now.ticks - (before.get(pid)?.ticks ?? 0);
    if (ticks <= 0) continue;
    const group =
      now.name === 'node' || now.name === 'postgres' || now.name === 'redis-server'
        ? now.name
        : DOVECOT.test(now.name)
          ? 'dovecot'
          : 'other';
    used[group] += ticks * TICK_S;
  }
  return used;
}

/** CPU ticks of every process, children that were waited for included. */
function cpuByProcess() {
  const out = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // This process counts only its children (the clients it waited for), not its own work.
      const own = Number(pid) === process.pid ? 0 : Number(f[11]) + Number(f[12]);
      out.set(pid, { name, ticks: own + Number(f[13]) + Number(f[14]) });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

function line(u) {
  return `${u.seconds.toFixed(2)} s; CPU client ${u.node.toFixed(2)}, dovecot ${u.dovecot.toFixed(2)}, postgres ${u.postgres.toFixed(2)}, redis ${u['redis-server'].toFixed(2)}, other ${u.other.toFixed(2)}`;
}

function medians(list) {
  return Object.fromEntries(Object.keys(list[0]).map((k) => [k, median(list.map((x) => x[k]))]));
}
