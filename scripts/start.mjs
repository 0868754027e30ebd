#!/usr/bin/env node
// `npm start`: install, configure (.env), check PostgreSQL and Redis, build, migrate, then run
// api + scheduler + fetcher + webhooks in one process against the local services.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  build,
  checkServices,
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  ensureEnvFile,
  ensureInstalled,
  readEnvFile,
  root,
  run,
  say,
} from './lib.mjs';

ensureInstalled();
ensureEnvFile();
const env = { ...readEnvFile(), ...process.env };
const databaseUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
const redisUrl = env.REDIS_URL || DEFAULT_REDIS_URL;
const missing = await checkServices(databaseUrl, redisUrl);
if (missing.length > 0) {
  for (const m of missing) console.error(`[mailduct] ${m}`);
  process.exit(1);
}
build();
const bin = join(root, 'bin', 'mailduct.js');
run(process.execPath, [bin, 'migrate']);
say(
  `starting api, scheduler, fetcher and webhooks (API on http://127.0.0.1:${env.PORT || 3000}, OpenAPI at /docs); stop with Ctrl-C`,
);
const child = spawn(process.execPath, [bin, 'start', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
