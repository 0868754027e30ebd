#!/usr/bin/env node
// bench/fetch/cpu: where the CPU goes during `mailduct fetch` runs. Seeds one local Dovecot
// mailbox, runs the CLI on it ROUNDS times and prints, per run, the FetchRun duration and the CPU
// (user/system, in ms) every process on the machine used meanwhile, grouped by command name
// (node = the CLI, postgres, dovecot incl. its imap/pop3 children, redis-server).
//   node bench/fetch/cpu.mjs [IMAP|POP3] [count] [size] [rounds]
// NODE_ARGS adds options to the CLI's node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"); SHOW_STDERR=1 passes
// the CLI's stderr through.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { addBenchAccount, benchEnv, bin, dropDatabase, freshDatabase, lastRunSeconds, startDovecot } from '../lib.mjs';

const [protocol = 'IMAP', count = '2000', size = '10240', rounds = '3'] = process.argv.slice(2);
const TICK_MS = 10; // /proc/<pid>/stat counts clock ticks of 1/100 s
const dc = await startDovecot(32000, 1);
const env = benchEnv('mailduct_bench_cpu', { MAILDUCT_MAX_MESSAGE_BYTES: String(40 * 1024 * 1024) });
await freshDatabase(env);
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
try {
  const port = protocol === 'IMAP' ? dc.imapPort : dc.pop3Port;
  const id = await addBenchAccount(db, env, protocol, port, 'user1');
  const nodeArgs = process.env.NODE_ARGS ? process.env.NODE_ARGS.split(' ') : [];
  for (let round = 0; round < Number(rounds); round++) {
    dc.seed('user1', Number(count), Number(size));
    const before = cpuByProcess();
    const res = spawnSync(process.execPath, [...nodeArgs, bin, 'fetch', '--account-id', String(id)], { env, encoding: 'utf8' });
    const after = cpuByProcess();
    if (res.status !== 0) throw new Error(`mailduct fetch: ${res.stdout}${res.stderr}`);
    if (process.env.SHOW_STDERR) process.stderr.write(res.stderr);
    const s = await lastRunSeconds(db, id);
    const used = {};
    for (const [pid, now] of after) {
      const was = before.get(pid) ?? { user: 0, system: 0 };
      const user = (now.user - was.user) * TICK_MS;
      const system = (now.system - was.system) * TICK_MS;
      if (user + system === 0) continue;
      const name = now.name.replace(/[\d/]+$/, '');
      used[name] ??= { user: 0, system: 0 };
      used[name].user += user;
      used[name].system += system;
    }
    const top = Object.entries(used).sort(([, a], [, b]) => b.user + b.system - (a.user + a.system)).slice(0, 6);
    console.log(`${protocol} ${count} × ${size} B: run ${s.toFixed(2)} s; CPU ms (user+system): ${top.map(([n, c]) => `${n} ${c.user}+${c.system}`).join(', ')}`);
  }
} finally {
  await db.end();
  await dropDatabase(env);
  dc.stop();
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
      out.set(pid, { name, user: Number(f[11]) + Number(f[13]), system: Number(f[12]) + Number(f[14]) });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}
