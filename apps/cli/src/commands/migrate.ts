import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Config } from '@mailduct/core/config';
import { ensureDatabase } from '@mailduct/core/db';
import { projectRoot } from '../project-root.js';

/** `mailduct migrate`: create the database if it is missing, then `prisma migrate deploy`. */
export async function migrate(config: Readonly<Config>, out: (line: string) => void): Promise<number> {
  if (await ensureDatabase(config.databaseUrl))
    out(`created database ${new URL(config.databaseUrl).pathname.slice(1)}`);
  const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCli, 'migrate', 'deploy'], {
      cwd: projectRoot(),
      env: {
        ...process.env,
        DATABASE_URL: config.databaseUrl,
        CHECKPOINT_DISABLE: '1',
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (c) => {
      if (c !== 0) out(output.trim());
      resolve(c ?? 1);
    });
  });
  out(code === 0 ? 'database is up to date' : 'migration failed');
  return code;
}
