import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ownRedis, type OwnRedis } from './redis-server.js';

/** A primary, its replica and one Sentinel watching them (quorum 1, failover after 1 s down). */
export interface OwnSentinel {
  /** REDIS_URL for mailduct: redis+sentinel://127.0.0.1:<sentinel>/<name>. */
  url: string;
  primary: OwnRedis;
  replica: OwnRedis;
  /** The port Sentinel names as the primary now. */
  primaryPort(): Promise<number>;
  close(): Promise<void>;
}

const NAME = 'mailduct-test';

export async function ownSentinel(): Promise<OwnSentinel> {
  const primary = await ownRedis();
  const replica = await ownRedis(['--replicaof', '127.0.0.1', String(primary.port)]);
  const dir = mkdtempSync(join(tmpdir(), 'mailduct-sentinel-'));
  const port = 40000 + Math.floor(Math.random() * 20000);
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${NAME} 127.0.0.1 ${primary.port} 1`,
      `sentinel down-after-milliseconds ${NAME} 1000`,
      `sentinel failover-timeout ${NAME} 5000`,
      `sentinel parallel-syncs ${NAME} 1`,
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  const ask = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
  ask.on('error', () => {});
  const primaryPort = async () => {
    const [, p] = (await ask.call('SENTINEL', 'get-master-addr-by-name', NAME)) as [string, string];
    return Number(p);
  };
  for (let i = 0; ; i++) {
    try {
      // Ready once Sentinel knows the primary and has found its replica.
      const replicas = (await ask.call('SENTINEL', 'replicas', NAME)) as unknown[];
      if ((await primaryPort()) === primary.port && replicas.length === 1) break;
    } catch {
      // not listening yet
    }
    if (i > 200) throw new Error('Sentinel did not come up');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis+sentinel://127.0.0.1:${port}/${NAME}`,
    primary,
    replica,
    primaryPort,
    async close() {
      ask.disconnect();
      proc.kill('SIGKILL');
      await Promise.all([primary.remove(), replica.remove()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
