#!/usr/bin/env node
// `npm test`: install, make sure PostgreSQL, Redis, Dovecot (and Chromium for the UI tests) are
// there, build, check the style (ESLint, Prettier) and for unused code (knip), then run every test with vitest. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  build,
  checkServices,
  commandExists,
  DEFAULT_REDIS_URL,
  ensureInstalled,
  root,
  run,
  say,
  tryStartLocalServices,
} from './lib.mjs';

const SYSTEM_PACKAGES = [
  ['dovecot', 'dovecot-imapd', '/usr/sbin/dovecot'],
  ['dovecot pop3', 'dovecot-pop3d', '/usr/lib/dovecot/pop3'],
  ['chromium', 'chromium', '/usr/bin/chromium'],
];

ensureInstalled();
ensureSystemPackages();
// Tests clone databases from this server's template; each test file gets its own database and Redis prefix.
const databaseUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
await tryStartLocalServices(databaseUrl, redisUrl);
const missing = await checkServices(databaseUrl, redisUrl);
if (missing.length > 0) {
  for (const m of missing) console.error(`[mailduct] ${m}`);
  process.exit(1);
}
build();
say('checking style (ESLint, Prettier) and unused code (knip)');
run(process.execPath, [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '.']);
run(process.execPath, [join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--check', '.']);
run(process.execPath, [join(root, 'node_modules', 'knip', 'bin', 'knip.js'), '--no-progress', '--no-config-hints']);
say('type-checking tests and benchmarks');
run(process.execPath, [
  join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
  '-p',
  join(root, 'test', 'tsconfig.json'),
]);
const args = process.argv.slice(2);
const soak = args.includes('--soak');
// The soak project (the reliability suite at a larger scale) only runs with --soak.
const vitestArgs = soak
  ? ['run', '--project', 'soak', ...args.filter((a) => a !== '--soak')]
  : ['run', '--project', 'unit', '--project', 'integration', ...args];
say(`running vitest ${vitestArgs.join(' ')}`);
const res = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), ...vitestArgs], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl },
});
process.exit(res.status ?? 1);

function ensureSystemPackages() {
  const absent = SYSTEM_PACKAGES.filter(([, , path]) => !commandExists(path));
  if (absent.length === 0) return;
  const names = absent.map(([, pkg]) => pkg);
  if (process.getuid?.() === 0 && commandExists('apt-get')) {
    say(`installing ${names.join(' ')} with apt-get`);
    let res = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...names], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (res.status !== 0) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit' });
      res = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...names], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    }
    if (res.status === 0) return;
  }
  console.error(`[mailduct] the tests need ${names.join(', ')}: apt-get install -y ${names.join(' ')}`);
  process.exit(1);
}
