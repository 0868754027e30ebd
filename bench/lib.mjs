// Helpers shared by the benchmarks: a throwaway database, the CLI, the machine description.
import { spawn, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SecretBox } from '../packages/core/dist/crypto/index.js';
import { seedMaildir, startDovecot as startHarnessDovecot } from '../test/harness/dovecot.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const bin = join(root, 'bin', 'mailduct.js');
const serverUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Environment for a benchmark run on its own database and Redis prefix. */
export function benchEnv(name, extra = {}) {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    PATH: process.env.PATH,
    DATABASE_URL: u.toString(),
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    MAILDUCT_SECRET_KEY: randomBytes(32).toString('base64'),
    MAILDUCT_QUEUE_PREFIX: `bench-${name}`,
    LOG_LEVEL: 'warn',
    // Benchmarks fetch from Dovecot and the latency proxy on loopback, denied by default.
    MAILDUCT_ALLOWED_MAIL_HOSTS: '127.0.0.0/8,::1,localhost',
    ...extra,
  };
}

/** Drop and re-create the database, then migrate it with the CLI. */
export async function freshDatabase(env) {
  const name = new URL(env.DATABASE_URL).pathname.slice(1);
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  const res = spawnSync(process.execPath, [bin, 'migrate'], { env, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`migrate failed: ${res.stdout}${res.stderr}`);
}

export async function dropDatabase(env) {
  await adminQuery(`DROP DATABASE IF EXISTS "${new URL(env.DATABASE_URL).pathname.slice(1)}" WITH (FORCE)`);
}

async function adminQuery(sql) {
  const u = new URL(serverUrl);
  u.pathname = '/postgres';
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Start `mailduct <args>` and resolve once its log says it started. */
export function startCli(args, env, readyText = 'mailduct started') {
  return new Promise((resolve, reject) => {
    // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the mailduct processes a benchmark starts.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, bin, ...args], {
      env: { ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes(readyText)) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`mailduct ${args.join(' ')} exited ${code}: ${out}`)));
  });
}

/** Put `count` messages of `size` bytes into `user`'s INBOX of the Dovecot started in `dir`. */
export function seedMailbox(dir, user, count, size) {
  seedMaildir(dir, user, count, size);
}

/** Start an isolated Dovecot (test/harness/dovecot.mjs, on free ports) and return its ports and helpers. */
export async function startDovecot(_base, users = 4) {
  const dc = await startHarnessDovecot({ users });
  return {
    dir: dc.dir,
    imapPort: dc.imapPort,
    pop3Port: dc.pop3Port,
    seed: (user, count, size) => seedMaildir(dc.dir, user, count, size),
    stop: () => dc.stop(),
  };
}

/**
 * Add a mail account for a Dovecot user of the benchmark's local server (password "password",
 * sealed with the environment's key); resolves to its id.
 */
export async function addBenchAccount(db, env, type, port, user) {
  const password = new SecretBox(env.MAILDUCT_SECRET_KEY).seal('password');
  const r = await db.query(
    `INSERT INTO mail_account (type, host, port, username, password_enc, imap_folder, dispatch_by) VALUES ($1::"AccountType", '127.0.0.1', $2, $3, $4, $5, 'to') RETURNING id`,
    [type, port, user, password, type === 'IMAP' ? 'INBOX' : null],
  );
  return r.rows[0].id;
}

/** Seconds the account's last FetchRun took, from its own row (process start-up excluded). */
export async function lastRunSeconds(db, accountId) {
  const r = await db.query(
    'SELECT extract(epoch FROM finished_at - started_at) AS s FROM fetch_run WHERE account_id = $1 ORDER BY id DESC LIMIT 1',
    [accountId],
  );
  return Number(r.rows[0].s);
}

/** One line describing this machine, for the results. */
export function machine() {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/** The median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The JSON on the last line of a benchmark script's output (a spawnSync result); throws with the output if it failed. */
export function jsonOutput(res) {
  if (res.status !== 0) throw new Error(`${res.stdout}${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop());
}

/** A dispatched or ignored verdict as PgMessageStore stores it, for benches that store mail without fetching it. */
export function storeVerdict(status, subject = null) {
  const decision = {
    status,
    queue: { id: 1, name: 'Raw' },
    by: 'default',
    matchedAddress: null,
    header: null,
    reason: 'bench',
    trusted: false,
    attributes: {},
    strippedHeaders: [],
    loop: { loop: false, reasons: [] },
    followUp: { ticketNumbers: [], inReplyTo: null, references: [] },
  };
  const summary = { from: [], to: [], cc: [], replyTo: [], subject, date: null, messageId: null };
  return { status, decision, summary: { ...summary, inReplyTo: null, references: [] } };
}

/** An account with no server behind it, to store mail under; its id. */
export async function addStoreAccount(pool) {
  const { rows } = await pool.query(
    `INSERT INTO mail_account (type, host, port, username, password_enc, dispatch_by) VALUES ('POP3', 'h', 110, 'u', 'x', 'to') RETURNING id`,
  );
  return rows[0].id;
}

/** A ticket.dispatched payload as the fetcher adds it (about 1 KiB of JSON), for message `messageId`. */
export function sampleTicket(messageId, accountId = 1) {
  return {
    schemaVersion: 1,
    messageId,
    accountId,
    queue: { id: 1, name: 'Raw' },
    dispatch: { by: 'to', matchedAddress: 'support@desk.example.com', header: 'to', reason: 'system address' },
    trusted: false,
    otobo: {},
    strippedOtoboHeaders: [],
    loop: { loop: false, reasons: [] },
    followUp: { ticketNumbers: [], inReplyTo: null, references: [] },
    headers: {
      from: [{ name: 'Ann Example', address: 'ann@example.com' }],
      to: [{ name: 'Support', address: 'support@desk.example.com' }],
      cc: [],
      replyTo: [],
      subject: `Printer on floor 3 is jammed again (${messageId})`,
      date: new Date().toISOString(),
      messageId: `<${messageId}.${Date.now()}@mail.example.com>`,
      inReplyTo: null,
      references: [],
    },
    size: 4200,
    sha256: 'a'.repeat(64),
    receivedAt: new Date().toISOString(),
    links: { message: `/api/v1/messages/${messageId}` },
  };
}

/** utime + stime of a process from /proc, in seconds (0 once it is gone). */
export function cpuOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every process whose name is `comm` (e.g. every postgres backend). */
export function cpuOfAll(comm) {
  let sum = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let name = '';
    try {
      name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      // gone
    }
    if (name === comm) sum += cpuOf(pid);
  }
  return sum;
}
