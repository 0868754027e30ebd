import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';

/**
 * Connection settings shared by both clients: `queryTimeoutMs` fails a statement PostgreSQL does
 * not answer in time, and a connection attempt that does not complete in that time (a stalled
 * server, a connection that went half-open), so a run ends with a storage error instead of
 * waiting for ever while it keeps renewing its account's lock; TCP keep-alive lets the kernel
 * notice a dead peer on idle connections.
 */
function poolConfig(databaseUrl: string, queryTimeoutMs: number | undefined): pg.PoolConfig {
  return {
    connectionString: databaseUrl,
    keepAlive: true,
    options: '-c TimeZone=UTC',
    types: UTC_TIMESTAMPS,
    ...(queryTimeoutMs ? { query_timeout: queryTimeoutMs, connectionTimeoutMillis: queryTimeoutMs } : {}),
  };
}

const TIMESTAMP_OID = 1114;

/**
 * Every column is a timestamp without time zone holding UTC (Prisma's DateTime). Each session
 * runs in UTC, so now() written by SQL is UTC whatever the server's TimeZone setting (a database
 * in America/New_York shifted receivedAt by hours), and pg reads such values as UTC, not as the
 * Node process's local time.
 */
const UTC_TIMESTAMPS: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === TIMESTAMP_OID && format !== 'binary')
      return (value: string) =>
        /^\d{4}-/.test(value) ? new Date(`${value.replace(' ', 'T')}Z`) : pg.types.getTypeParser(oid)(value);
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** A Prisma client over the pg driver adapter (no native engine, works offline). */
export function createPrisma(databaseUrl: string, queryTimeoutMs?: number): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(poolConfig(databaseUrl, queryTimeoutMs)) });
}

/** A plain pg pool for the hot path (raw-mail COPY, page reads), where Prisma costs too much. */
export function createPgPool(databaseUrl: string, max = 4, queryTimeoutMs?: number): pg.Pool {
  const pool = new pg.Pool({ ...poolConfig(databaseUrl, queryTimeoutMs), max, idleTimeoutMillis: 10_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

export type { PrismaClient };
