import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server of the test's own, with an append-only file fsynced on every write. */
export interface OwnRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  /** Kill it (SIGKILL): acknowledged writes survive in the AOF. */
  kill(): Promise<void>;
  remove(): Promise<void>;
  /** Started and not killed. */
  running(): boolean;
}

export async function ownRedis(
  extraArgs: string[] = [],
  port = 40000 + Math.floor(Math.random() * 20000),
): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'mailduct-redis-'));
  let proc: ChildProcess | null = null;
  const self: OwnRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      proc = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--save',
          '',
          '--maxmemory-policy',
          'noeviction',
          ...extraArgs,
        ],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 100; i++) {
        if (await answers(port)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`redis-server on ${port} did not start`);
    },
    async kill() {
      const p = proc;
      proc = null;
      if (!p || p.exitCode !== null) return;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGKILL');
      await exited;
    },
    running: () => proc !== null && proc.exitCode === null,
    async remove() {
      await self.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(port, '127.0.0.1');
    s.once('connect', () => {
      s.write('PING\r\n');
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
    });
    s.once('error', () => resolve(false));
  });
}
