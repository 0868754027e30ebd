import pg from 'pg';

/** The database every test file's own database is cloned from. */
export const TEMPLATE_DATABASE = 'mailduct_test_template';

export interface Services {
  databaseBaseUrl: string;
  redisUrl: string;
  recreateDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * PostgreSQL and Redis for the tests: DATABASE_URL and REDIS_URL when set (local services, CI),
 * otherwise containers started with testcontainers (needs a Docker engine).
 */
export async function resolveServices(): Promise<Services> {
  const stops: (() => Promise<unknown>)[] = [];
  let databaseBaseUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  try {
    if (!databaseBaseUrl) {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const c = await new PostgreSqlContainer('postgres:16-alpine').start();
      stops.push(() => c.stop());
      databaseBaseUrl = c.getConnectionUri();
    }
    if (!redisUrl) {
      const { RedisContainer } = await import('@testcontainers/redis');
      const c = await new RedisContainer('redis:7-alpine').start();
      stops.push(() => c.stop());
      redisUrl = c.getConnectionUrl();
    }
  } catch (err) {
    throw new Error(
      `Tests need PostgreSQL and Redis: set DATABASE_URL and REDIS_URL (npm test does this for local services) or run a Docker engine for testcontainers. (${(err as Error).message})`,
    );
  }
  const baseUrl = databaseBaseUrl;
  return {
    databaseBaseUrl: baseUrl,
    redisUrl,
    recreateDatabase: async (name) => {
      await adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await adminQuery(baseUrl, `CREATE DATABASE "${name}"`);
    },
    stop: async () => {
      for (const stop of stops) await stop();
    },
  };
}

/** Run one statement on the server's maintenance database. */
export async function adminQuery(baseUrl: string, sql: string): Promise<void> {
  const u = new URL(baseUrl);
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
