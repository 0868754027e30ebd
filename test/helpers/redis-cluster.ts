import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { ownRedis, type OwnRedis } from './redis-server.js';

const run = promisify(execFile);

/** Six redis-server processes made into a Redis Cluster: three primaries, one replica each. */
export interface OwnCluster {
  /** REDIS_URL for mailduct: redis+cluster://127.0.0.1:<a>,127.0.0.1:<b>. */
  url: string;
  nodes: OwnRedis[];
  /** The node that serves `key`'s hash slot as primary now. */
  primaryOf(key: string): Promise<OwnRedis>;
  /** The replica of `key`'s slot (the one that takes over when its primary dies). */
  replicaOf(key: string): Promise<OwnRedis>;
  close(): Promise<void>;
}

type SlotRange = [number, number, [string, number, ...unknown[]], ...[string, number, ...unknown[]][]];

export async function ownCluster(): Promise<OwnCluster> {
  // A node's cluster bus listens on its port + 10000; both below Linux's ephemeral ports
  // (32768 and up), which outgoing connections take.
  const base = 20000 + Math.floor(Math.random() * 270) * 10;
  const nodes = await Promise.all(
    [0, 1, 2, 3, 4, 5].map((i) =>
      ownRedis(['--cluster-enabled', 'yes', '--cluster-node-timeout', '1000', '--appendfsync', 'everysec'], base + i),
    ),
  );
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes']);
  const alive = () => nodes.filter((n) => n.running());
  const ask = async <T>(f: (r: Redis) => Promise<T>): Promise<T> => {
    let last: unknown;
    for (const n of alive()) {
      const r = new Redis(n.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
      r.on('error', () => {});
      try {
        return await f(r);
      } catch (err) {
        last = err;
      } finally {
        r.disconnect();
      }
    }
    throw last;
  };
  const slotOwners = async (key: string) => {
    const slot = await ask((r) => r.cluster('KEYSLOT', key));
    const ranges = (await ask((r) => r.cluster('SLOTS'))) as unknown as SlotRange[];
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no node serves slot ${slot}`);
    const [, , primary, ...replicas] = range;
    const byPort = (port: number) => nodes.find((n) => n.port === port)!;
    return { primary: byPort(primary[1]), replicas: replicas.map((r) => byPort(r[1])) };
  };
  for (let i = 0; ; i++) {
    const states = await Promise.all(nodes.map((n) => clusterState(n.port)));
    // Formed once every node says ok and every slot range names its replica.
    const ranges = (await ask((r) => r.cluster('SLOTS')).catch(() => [])) as unknown as SlotRange[];
    if (states.every((s) => s === 'ok') && ranges.length === 3 && ranges.every((r) => r.length >= 4)) break;
    if (i > 200) throw new Error(`the cluster did not form (${states.join(', ')})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis+cluster://${addresses.slice(0, 2).join(',')}`,
    nodes,
    primaryOf: async (key) => (await slotOwners(key)).primary,
    replicaOf: async (key) => {
      const { replicas } = await slotOwners(key);
      if (replicas.length === 0) throw new Error(`${key}: its slot has no replica`);
      return replicas[0]!;
    },
    async close() {
      await Promise.all(nodes.map((n) => n.remove()));
    },
  };
}

async function clusterState(port: number): Promise<string> {
  const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
  r.on('error', () => {});
  try {
    const info = String(await r.cluster('INFO'));
    return /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
  } catch {
    return 'down';
  } finally {
    r.disconnect();
  }
}
