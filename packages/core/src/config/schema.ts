import { z } from 'zod';
import { entries, isHostEntry } from '../mail/host-policy.js';
import { redisTargetOf } from '../redis/redis-target.js';
import { notifyEnvShape } from './notify-schema.js';

const positiveInt = (name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`)
    .default(fallback);

/** true or false (default false). */
const flag = (name: string) =>
  z
    .enum(['true', 'false', ''], { error: `${name} must be true or false` })
    .default('false')
    .transform((v) => v === 'true');

const url = (name: string, protocols: string[], fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `${name} must be a URL starting with ${protocols.join(' or ')}//`,
    );

/** One server (redis://, rediss://), a primary found through Sentinel (redis+sentinel://…) or a Redis Cluster (redis+cluster://…). */
const redisUrl = z
  .string()
  .default('redis://127.0.0.1:6379')
  .superRefine((v, ctx) => {
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message: `REDIS_URL ${message}` });
    if (/^rediss?\+(sentinel|cluster):/.test(v)) {
      try {
        redisTargetOf(v);
      } catch (err) {
        problem((err as Error).message);
      }
      return;
    }
    try {
      if (['redis:', 'rediss:'].includes(new URL(v).protocol)) return;
    } catch {
      // not a URL: said below
    }
    problem('must be a URL starting with redis://, rediss://, redis+sentinel:// or redis+cluster://');
  });

const secretKey = z
  .string({ error: 'MAILDUCT_SECRET_KEY is required: a 32-byte key, base64 (openssl rand -base64 32)' })
  .refine((v) => Buffer.from(v, 'base64').length === 32, 'MAILDUCT_SECRET_KEY must be 32 bytes, base64-encoded');

const oldKeys = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
  )
  .refine(
    (keys) => keys.every((k) => Buffer.from(k, 'base64').length === 32),
    'MAILDUCT_OLD_SECRET_KEYS must be a comma-separated list of 32-byte base64 keys',
  );

const optionalToken = (name: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || v.length >= 16, `${name} must be at least 16 characters`);

/**
 * Which proxies in front of the API to believe (X-Forwarded-For, -Proto): "false" (none, the
 * default), "true" (any), a number of hops, or comma-separated addresses/CIDRs.
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((v, ctx) => {
    const s = v.trim();
    if (s === 'false' || s === '') return false;
    if (s === 'true') return true;
    if (/^\d{1,2}$/.test(s)) return Number(s);
    const list = s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (list.every((p) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(p))) return list;
    ctx.addIssue({
      code: 'custom',
      message: 'MAILDUCT_TRUST_PROXY must be true, false, a number of hops or comma-separated IP addresses/CIDRs',
    });
    return z.NEVER;
  });

/** A comma-separated list of host names (`*.` wildcards), addresses and CIDR ranges. */
const hostList = (name: string) =>
  z
    .string()
    .default('')
    .transform((v) => entries(v))
    .refine(
      (list) => list.every(isHostEntry),
      `${name} must be comma-separated host names, IP addresses or CIDR ranges (or *)`,
    );

/** The environment mailduct reads, with defaults for a developer machine. */
export const ConfigSchema = z.object({
  DATABASE_URL: url('DATABASE_URL', ['postgresql:', 'postgres:'], 'postgresql://postgres@127.0.0.1:5432/mailduct'),
  REDIS_URL: redisUrl,
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: positiveInt('PORT', 3000, 0, 65535),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  MAILDUCT_SECRET_KEY: secretKey,
  MAILDUCT_OLD_SECRET_KEYS: oldKeys,
  MAILDUCT_ADMIN_TOKEN: optionalToken('MAILDUCT_ADMIN_TOKEN'),
  MAILDUCT_METRICS_TOKEN: optionalToken('MAILDUCT_METRICS_TOKEN'),
  MAILDUCT_DEFAULT_QUEUE: z.string().min(1, 'MAILDUCT_DEFAULT_QUEUE must not be empty').default('Raw'),
  MAILDUCT_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'MAILDUCT_QUEUE_PREFIX may only use letters, digits, _ . -')
    .default('mailduct'),
  MAILDUCT_MAX_MESSAGE_BYTES: positiveInt('MAILDUCT_MAX_MESSAGE_BYTES', 32 * 1024 * 1024, 1024),
  MAILDUCT_FETCH_MEMORY_BYTES: positiveInt('MAILDUCT_FETCH_MEMORY_BYTES', 512 * 1024 * 1024, 1024 * 1024),
  MAILDUCT_FETCH_LIMIT: positiveInt('MAILDUCT_FETCH_LIMIT', 5000),
  MAILDUCT_FETCH_CONCURRENCY: positiveInt('MAILDUCT_FETCH_CONCURRENCY', 10, 1, 1000),
  MAILDUCT_POLL_INTERVAL_SECONDS: positiveInt('MAILDUCT_POLL_INTERVAL_SECONDS', 600, 30),
  MAILDUCT_PARK_AFTER_AUTH_FAILURES: positiveInt('MAILDUCT_PARK_AFTER_AUTH_FAILURES', 5),
  MAILDUCT_MAX_CONNECTIONS_PER_HOST: positiveInt('MAILDUCT_MAX_CONNECTIONS_PER_HOST', 10),
  MAILDUCT_WATCHERS_PER_PROCESS: positiveInt('MAILDUCT_WATCHERS_PER_PROCESS', 500, 0, 100_000),
  MAILDUCT_SESSIONS_PER_MAILBOX: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce
      .number({ error: 'MAILDUCT_SESSIONS_PER_MAILBOX must be a number' })
      .int('MAILDUCT_SESSIONS_PER_MAILBOX must be a whole number')
      .min(2, 'MAILDUCT_SESSIONS_PER_MAILBOX must be at least 2 (a watcher and a fetch)')
      .max(1000, 'MAILDUCT_SESSIONS_PER_MAILBOX must be at most 1000')
      .optional(),
  ),
  MAILDUCT_IDLE_RESTART_SECONDS: positiveInt('MAILDUCT_IDLE_RESTART_SECONDS', 25 * 60, 10, 29 * 60),
  MAILDUCT_LOCK_TTL_MS: positiveInt('MAILDUCT_LOCK_TTL_MS', 60_000, 1000),
  MAILDUCT_DB_QUERY_TIMEOUT_MS: positiveInt('MAILDUCT_DB_QUERY_TIMEOUT_MS', 120_000, 100),
  MAILDUCT_EXTRA_CA_FILE: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  MAILDUCT_TRUST_PROXY: trustProxy,
  MAILDUCT_ALLOWED_MAIL_HOSTS: hostList('MAILDUCT_ALLOWED_MAIL_HOSTS'),
  MAILDUCT_DENIED_MAIL_HOSTS: hostList('MAILDUCT_DENIED_MAIL_HOSTS'),
  MAILDUCT_METRICS_PER_ACCOUNT: z
    .enum(['auto', 'true', 'false', ''], {
      error: 'MAILDUCT_METRICS_PER_ACCOUNT must be auto (per account up to 10,000 accounts), true or false',
    })
    .default('auto')
    .transform((v) => (v === '' ? 'auto' : v)),
  MAILDUCT_RETENTION_DAYS: positiveInt('MAILDUCT_RETENTION_DAYS', 30, 0),
  MAILDUCT_MESSAGE_LOG_DAYS: positiveInt('MAILDUCT_MESSAGE_LOG_DAYS', 0, 0, 36500),
  MAILDUCT_TICKET_KEEP_HOURS: positiveInt('MAILDUCT_TICKET_KEEP_HOURS', 168, 1, 24 * 365),
  MAILDUCT_WEBHOOK_ALLOW_PRIVATE: flag('MAILDUCT_WEBHOOK_ALLOW_PRIVATE'),
  MAILDUCT_WEBHOOK_ALLOW_HTTP: flag('MAILDUCT_WEBHOOK_ALLOW_HTTP'),
  MAILDUCT_FORWARD_TICKETS: flag('MAILDUCT_FORWARD_TICKETS'),
  MAILDUCT_WEBHOOK_CONCURRENCY: positiveInt('MAILDUCT_WEBHOOK_CONCURRENCY', 10, 1, 1000),
  MAILDUCT_WEBHOOK_LOG_DAYS: positiveInt('MAILDUCT_WEBHOOK_LOG_DAYS', 7, 1, 3650),
  ...notifyEnvShape,
  MAILDUCT_OAUTH2_ALLOW_HTTP: flag('MAILDUCT_OAUTH2_ALLOW_HTTP'),
  MAILDUCT_PUBLIC_URL: z
    .string()
    .optional()
    .transform((v) => (v === '' || v === undefined ? undefined : v.replace(/\/+$/, '')))
    .refine((v) => {
      if (v === undefined) return true;
      try {
        return ['https:', 'http:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, 'MAILDUCT_PUBLIC_URL must be the http(s) URL the admin UI is reached at, e.g. https://mailduct.example.com'),
});

export type ConfigInput = z.input<typeof ConfigSchema>;
