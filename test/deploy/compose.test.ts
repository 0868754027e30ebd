import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '@mailduct/core/config';
import { ROOT } from '../helpers/cli.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  ports?: string[];
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const apps = ['api', 'scheduler', 'fetcher', 'webhooks'] as const;
const knownEnv = new Set([...Object.keys(ConfigSchema.shape), 'PORT']);

describe('docker-compose.yml', () => {
  it('has postgres, redis, a migration and the four components', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'api',
      'fetcher',
      'migrate',
      'postgres',
      'redis',
      'scheduler',
      'webhooks',
    ]);
    expect(compose.services.postgres!.image).toMatch(/^postgres:1[4-9]/); // lz4 column compression needs >= 14
    expect(compose.services.redis!.image).toMatch(/^redis:7/);
    expect(compose.services.redis!.command).toEqual(expect.arrayContaining(['--maxmemory-policy', 'noeviction']));
  });

  it('builds every mailduct service from the one multi-stage Dockerfile', () => {
    for (const name of [...apps, 'migrate']) {
      const s = compose.services[name]!;
      expect(s.build).toEqual({ context: '.', dockerfile: 'Dockerfile', target: 'runtime' });
      expect(s.image).toBe('mailduct:latest');
    }
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^FROM \S+ AS build$/m);
    expect(dockerfile).toMatch(/^FROM \S+ AS runtime$/m);
    expect(dockerfile).toContain('ENTRYPOINT ["node", "bin/mailduct.js"]');
  });

  it('runs each component with a valid CLI command', () => {
    expect(compose.services.migrate!.command).toEqual(['migrate']);
    for (const name of apps) expect(compose.services[name]!.command).toEqual(['start', `--${name}`]);
  });

  it('runs two fetcher replicas with a grace period for a clean shutdown', () => {
    expect(compose.services.fetcher!.deploy?.replicas).toBe(2);
    expect(compose.services.api!.ports).toEqual(['${MAILDUCT_PORT:-3000}:3000']);
  });

  it('points every component at the postgres and redis services, with settings mailduct knows', () => {
    for (const name of [...apps, 'migrate']) {
      const env = compose.services[name]!.environment!;
      expect(new URL(env.DATABASE_URL!.replace(/\$\{[^}]+\}/g, 'x')).host).toBe('postgres:5432');
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(env.MAILDUCT_SECRET_KEY).toMatch(/^\$\{MAILDUCT_SECRET_KEY:\?/);
      for (const key of Object.keys(env)) expect(knownEnv, `${name}: ${key}`).toContain(key);
    }
  });

  it('starts components only after a successful migration and a healthy redis', () => {
    for (const name of apps) {
      expect(compose.services[name]!.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(compose.services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(compose.services.postgres!.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(Object.keys(compose.volumes)).toEqual(['pgdata', 'redisdata']);
  });
});
