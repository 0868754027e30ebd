import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isMailductError } from '../errors/index.js';
import { loadConfig } from './load-config.js';

const key = randomBytes(32).toString('base64');

function problems(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (isMailductError(err, 'CONFIG_INVALID')) return err.message;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe(loadConfig.name, () => {
  it('uses the developer-machine defaults', () => {
    const c = loadConfig({ MAILDUCT_SECRET_KEY: key });
    expect(c).toMatchObject({
      databaseUrl: 'postgresql://postgres@127.0.0.1:5432/mailduct',
      redisUrl: 'redis://127.0.0.1:6379',
      port: 3000,
      defaultQueue: 'Raw',
      pollIntervalSeconds: 600,
      fetchLimit: 5000,
      maxMessageBytes: 32 * 1024 * 1024,
      adminToken: undefined,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names a missing secret key and how to make one', () => {
    expect(problems({})).toMatch(/MAILDUCT_SECRET_KEY: .*openssl rand -base64 32/);
  });

  it('names every bad variable at once', () => {
    const message = problems({ MAILDUCT_SECRET_KEY: 'short', PORT: 'abc', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
    for (const name of ['MAILDUCT_SECRET_KEY', 'PORT', 'REDIS_URL', 'LOG_LEVEL']) expect(message).toContain(`${name}:`);
  });

  it('parses old keys for rotation', () => {
    const old = randomBytes(32).toString('base64');
    expect(loadConfig({ MAILDUCT_SECRET_KEY: key, MAILDUCT_OLD_SECRET_KEYS: ` ${old} ,` }).oldSecretKeys).toEqual([
      old,
    ]);
  });

  it('refuses a short admin token', () => {
    expect(problems({ MAILDUCT_SECRET_KEY: key, MAILDUCT_ADMIN_TOKEN: 'short' })).toContain('MAILDUCT_ADMIN_TOKEN');
  });

  it('leaves the sessions per mailbox to the provider unless set, and names a bad value', () => {
    expect(loadConfig({ MAILDUCT_SECRET_KEY: key }).sessionsPerMailbox).toBeUndefined();
    expect(
      loadConfig({ MAILDUCT_SECRET_KEY: key, MAILDUCT_SESSIONS_PER_MAILBOX: '' }).sessionsPerMailbox,
    ).toBeUndefined();
    expect(loadConfig({ MAILDUCT_SECRET_KEY: key, MAILDUCT_SESSIONS_PER_MAILBOX: '15' }).sessionsPerMailbox).toBe(15);
    expect(problems({ MAILDUCT_SECRET_KEY: key, MAILDUCT_SESSIONS_PER_MAILBOX: '1' })).toContain(
      'MAILDUCT_SESSIONS_PER_MAILBOX must be at least 2 (a watcher and a fetch)',
    );
    expect(problems({ MAILDUCT_SECRET_KEY: key, MAILDUCT_SESSIONS_PER_MAILBOX: 'many' })).toContain(
      'MAILDUCT_SESSIONS_PER_MAILBOX must be a number',
    );
  });

  it('refuses a poll interval below 30 seconds', () => {
    expect(problems({ MAILDUCT_SECRET_KEY: key, MAILDUCT_POLL_INTERVAL_SECONDS: '10' })).toContain(
      'MAILDUCT_POLL_INTERVAL_SECONDS',
    );
  });

  it('turns notifications on with MAILDUCT_NOTIFY_TO and names what a half-set configuration lacks', () => {
    expect(loadConfig({ MAILDUCT_SECRET_KEY: key }).notify).toBeNull();
    expect(
      loadConfig({
        MAILDUCT_SECRET_KEY: key,
        MAILDUCT_NOTIFY_TO: ' ops@example.com, desk@example.com ,',
        MAILDUCT_NOTIFY_FROM: 'mailduct@example.com',
        MAILDUCT_SMTP_HOST: 'smtp.example.com',
        MAILDUCT_SMTP_USER: 'mailduct',
        MAILDUCT_SMTP_PASSWORD: 'pw',
      }).notify,
    ).toEqual({
      smtp: { host: 'smtp.example.com', port: 587, tls: 'starttls', user: 'mailduct', password: 'pw' },
      from: 'mailduct@example.com',
      to: ['ops@example.com', 'desk@example.com'],
    });
    const half = problems({ MAILDUCT_SECRET_KEY: key, MAILDUCT_NOTIFY_TO: 'ops@example.com', MAILDUCT_SMTP_USER: 'u' });
    for (const name of ['MAILDUCT_SMTP_HOST', 'MAILDUCT_NOTIFY_FROM', 'MAILDUCT_SMTP_PASSWORD'])
      expect(half).toContain(`${name}:`);
    expect(problems({ MAILDUCT_SECRET_KEY: key, MAILDUCT_NOTIFY_TO: 'Ops <ops@example.com>' })).toContain(
      'MAILDUCT_NOTIFY_TO: MAILDUCT_NOTIFY_TO must be e-mail addresses separated by commas',
    );
    expect(problems({ MAILDUCT_SECRET_KEY: key, MAILDUCT_SMTP_TLS: 'ssl' })).toContain('MAILDUCT_SMTP_TLS:');
  });

  it('takes Redis behind Sentinel and names a malformed Sentinel URL', () => {
    const url = 'redis+sentinel://:pw@10.0.0.1:26379,10.0.0.2:26379/desk';
    expect(loadConfig({ MAILDUCT_SECRET_KEY: key, REDIS_URL: url }).redisUrl).toBe(url);
    expect(problems({ MAILDUCT_SECRET_KEY: key, REDIS_URL: 'redis+sentinel://10.0.0.1:26379' })).toContain(
      'REDIS_URL: REDIS_URL must be redis+sentinel://',
    );
  });

  it('takes a Redis Cluster and names a cluster URL with a database', () => {
    const url = 'redis+cluster://10.0.0.1:7000,10.0.0.2:7000';
    expect(loadConfig({ MAILDUCT_SECRET_KEY: key, REDIS_URL: url }).redisUrl).toBe(url);
    expect(problems({ MAILDUCT_SECRET_KEY: key, REDIS_URL: 'redis+cluster://10.0.0.1:7000/2' })).toContain(
      'REDIS_URL: REDIS_URL must be redis+cluster://',
    );
  });

  it('keeps completed ticket jobs a week unless told, at least an hour', () => {
    expect(loadConfig({ MAILDUCT_SECRET_KEY: key }).ticketKeepHours).toBe(168);
    expect(loadConfig({ MAILDUCT_SECRET_KEY: key, MAILDUCT_TICKET_KEEP_HOURS: '24' }).ticketKeepHours).toBe(24);
    expect(problems({ MAILDUCT_SECRET_KEY: key, MAILDUCT_TICKET_KEEP_HOURS: '0' })).toContain(
      'MAILDUCT_TICKET_KEEP_HOURS must be at least 1',
    );
  });

  it('keeps message rows forever unless told, and never for less than their raw mail', () => {
    expect(loadConfig({ MAILDUCT_SECRET_KEY: key }).messageLogDays).toBe(0);
    expect(loadConfig({ MAILDUCT_SECRET_KEY: key, MAILDUCT_MESSAGE_LOG_DAYS: '30' }).messageLogDays).toBe(30);
    const env = { MAILDUCT_SECRET_KEY: key, MAILDUCT_RETENTION_DAYS: '2', MAILDUCT_MESSAGE_LOG_DAYS: '7' };
    expect(loadConfig(env).messageLogDays).toBe(7);
    expect(problems({ MAILDUCT_SECRET_KEY: key, MAILDUCT_MESSAGE_LOG_DAYS: '7' })).toContain(
      'MAILDUCT_MESSAGE_LOG_DAYS: must be 0 (keep rows) or at least MAILDUCT_RETENTION_DAYS (30)',
    );
    expect(problems({ MAILDUCT_SECRET_KEY: key, MAILDUCT_MESSAGE_LOG_DAYS: '-1' })).toContain(
      'MAILDUCT_MESSAGE_LOG_DAYS must be at least 0',
    );
  });

  it('gives metrics per account up to 10,000 accounts unless told, and names a bad choice', () => {
    expect(loadConfig({ MAILDUCT_SECRET_KEY: key }).metricsPerAccount).toBe('auto');
    expect(loadConfig({ MAILDUCT_SECRET_KEY: key, MAILDUCT_METRICS_PER_ACCOUNT: 'false' }).metricsPerAccount).toBe(
      'false',
    );
    expect(problems({ MAILDUCT_SECRET_KEY: key, MAILDUCT_METRICS_PER_ACCOUNT: 'yes' })).toContain(
      'MAILDUCT_METRICS_PER_ACCOUNT:',
    );
  });
});
