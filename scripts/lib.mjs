// Shared steps of `npm start` and `npm test`. Only Node built-ins: this runs before `npm install`.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/mailduct';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Print a step. */
export const say = (msg) => console.log(`\x1b[36m[mailduct]\x1b[0m ${msg}`);

/** Run a command in the project root, inheriting output; exit on failure. */
export function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (res.status !== 0) {
    console.error(`[mailduct] ${cmd} ${args.join(' ')} failed (exit ${res.status ?? res.signal})`);
    process.exit(res.status || 1);
  }
}

/** npm ci on a fresh clone, npm install when package-lock.json changed since the last install. */
export function ensureInstalled() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) {
    say('installing dependencies (npm ci)');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  } else if (statSync(join(root, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs + 1000) {
    say('package-lock.json changed: npm install');
    run('npm', ['install', '--no-audit', '--no-fund']);
  }
}

/** Generate the Prisma client and compile every workspace (incremental). */
export function build() {
  say('generating the Prisma client and compiling TypeScript');
  run(process.execPath, [join(root, 'scripts', 'prisma-generate.mjs')]);
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b']);
}

/** Read KEY=VALUE lines of .env (no interpolation). */
export function readEnvFile(path = join(root, '.env')) {
  const out = {};
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/** Make sure .env holds a secret key (and a bootstrap admin token), creating them on first run. */
export function ensureEnvFile() {
  const path = join(root, '.env');
  const env = { ...readEnvFile(path), ...process.env };
  const add = [];
  if (!env.MAILDUCT_SECRET_KEY) add.push(['MAILDUCT_SECRET_KEY', randomBytes(32).toString('base64')]);
  if (!env.MAILDUCT_ADMIN_TOKEN) add.push(['MAILDUCT_ADMIN_TOKEN', `md_${randomBytes(24).toString('base64url')}`]);
  if (add.length === 0) return;
  if (!existsSync(path))
    writeFileSync(path, '# Local settings for `npm start` (not committed). See README.md "Configuration".\n', {
      mode: 0o600,
    });
  appendFileSync(path, add.map(([k, v]) => `${k}=${v}\n`).join(''));
  for (const [k] of add) say(`created ${k} in .env (first run)`);
  if (add.some(([k]) => k === 'MAILDUCT_SECRET_KEY'))
    say('keep .env safe: MAILDUCT_SECRET_KEY encrypts the stored mail account passwords');
}

/** True when a TCP connection to host:port succeeds within the timeout. */
export function reachable(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Host and port of a postgresql:// or redis:// URL. */
export function endpointOf(url, defaultPort) {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}

const HOW_TO_START = {
  PostgreSQL:
    'start it, e.g. `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, `sudo systemctl start postgresql` or `docker compose up -d postgres`, or set DATABASE_URL',
  Redis:
    'start it, e.g. `redis-server --daemonize yes`, `sudo systemctl start redis-server` or `docker compose up -d redis`, or set REDIS_URL',
};

/** Check that PostgreSQL and Redis answer; say which URL was tried and how to start the service if not. */
export async function checkServices(databaseUrl, redisUrl) {
  const missing = [];
  for (const [name, url, port] of [
    ['PostgreSQL', databaseUrl, 5432],
    ['Redis', redisUrl, 6379],
  ]) {
    const { host, port: p } = endpointOf(url, port);
    if (!(await reachable(host, p))) missing.push(`${name} is not reachable at ${redact(url)}: ${HOW_TO_START[name]}.`);
  }
  return missing;
}

/** Try the local service commands of a Debian machine (as in .ci/run) for services that are down. */
export async function tryStartLocalServices(databaseUrl, redisUrl) {
  const pg = endpointOf(databaseUrl, 5432);
  if (isLocal(pg.host) && !(await reachable(pg.host, pg.port)) && existsSync('/etc/postgresql')) {
    say('starting the local PostgreSQL cluster');
    const version = execFileSync('ls', ['/etc/postgresql'], { encoding: 'utf8' }).split('\n')[0];
    spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
  }
  const redis = endpointOf(redisUrl, 6379);
  if (isLocal(redis.host) && !(await reachable(redis.host, redis.port)) && commandExists('redis-server')) {
    say('starting a local redis-server');
    spawnSync(
      'redis-server',
      ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(redis.port), '--save', '', '--appendonly', 'no'],
      { stdio: 'inherit' },
    );
  }
  for (let i = 0; i < 50 && (await checkServices(databaseUrl, redisUrl)).length > 0; i++)
    await new Promise((r) => setTimeout(r, 200));
}

export function commandExists(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function isLocal(host) {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
