import { randomBytes, randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig, type Config } from '@mailduct/core/config';
import { adminQuery, TEMPLATE_DATABASE } from './services.js';

/** A test file's own world: a fresh database cloned from the template and a unique Redis prefix. */
export interface TestContext {
  config: Readonly<Config>;
  databaseUrl: string;
  prefix: string;
  env: NodeJS.ProcessEnv;
  drop(): Promise<void>;
}

/** A 32-byte base64 key for tests. */
const testSecretKey = (): string => randomBytes(32).toString('base64');

/**
 * Clone the migrated template into a new database and pick a unique queue/key prefix.
 * `overrides` are extra environment variables (MAILDUCT_*).
 */
export async function createTestContext(overrides: NodeJS.ProcessEnv = {}): Promise<TestContext> {
  const baseUrl = inject('databaseBaseUrl');
  const id = randomUUID().replaceAll('-', '').slice(0, 16);
  const name = `mailduct_t_${id}`;
  await adminQuery(baseUrl, `CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE_DATABASE}"`);
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  const databaseUrl = u.toString();
  const prefix = `test-${id}`;
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: inject('redisUrl'),
    MAILDUCT_SECRET_KEY: testSecretKey(),
    MAILDUCT_QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    // The tests' mail servers (Dovecot, scripted fakes) listen on loopback, which is denied by default.
    MAILDUCT_ALLOWED_MAIL_HOSTS: '127.0.0.0/8,::1,localhost',
    ...overrides,
  };
  return {
    config: loadConfig(env),
    databaseUrl,
    prefix,
    env,
    drop: () => adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
