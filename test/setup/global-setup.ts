import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { resolveServices, TEMPLATE_DATABASE } from '../helpers/services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseBaseUrl: string;
    redisUrl: string;
  }
}

const root = join(import.meta.dirname, '..', '..');

/**
 * Once per run: find PostgreSQL and Redis (DATABASE_URL / REDIS_URL, else testcontainers),
 * build a migrated template database that every test file clones, and hand the URLs to the
 * test files.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // CLI and fetcher tests run the compiled code as child processes, as users do.
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) throw new Error(`tsc -b failed:\n${tsc.stdout}${tsc.stderr}`);
  const services = await resolveServices();
  const templateUrl = withDatabase(services.databaseBaseUrl, TEMPLATE_DATABASE);
  await services.recreateDatabase(TEMPLATE_DATABASE);
  const migrate = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'migrate', 'deploy'],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: templateUrl, CHECKPOINT_DISABLE: '1' },
      encoding: 'utf8',
    },
  );
  if (migrate.status !== 0)
    throw new Error(`migrating the template database failed:\n${migrate.stdout}\n${migrate.stderr}`);
  project.provide('databaseBaseUrl', services.databaseBaseUrl);
  project.provide('redisUrl', services.redisUrl);
  return services.stop;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
