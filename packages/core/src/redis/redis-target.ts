/** Where Redis is: one server, a primary found through Sentinel, or a Redis Cluster. */
export type RedisTarget =
  | { kind: 'server'; url: string }
  | {
      kind: 'sentinel';
      sentinels: HostPort[];
      /** The monitored primary's name (Sentinel's `sentinel monitor <name> …`). */
      name: string;
      db: number;
      username?: string;
      password?: string;
      tls: boolean;
    }
  | {
      kind: 'cluster';
      /** Some nodes of the cluster: ioredis asks them for the slot map and finds the rest. */
      nodes: HostPort[];
      username?: string;
      password?: string;
      tls: boolean;
    };

interface HostPort {
  host: string;
  port: number;
}

const SENTINEL_PORT = 26379;
const REDIS_PORT = 6379;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

/**
 * Read REDIS_URL: `redis://` or `rediss://` (one server);
 * `redis+sentinel://[user:password@]host[:port][,host[:port]…]/<primary name>[/<db>]`
 * (the sentinels to ask and the name of the primary they monitor; the password is the
 * primary's); or `redis+cluster://[user:password@]host[:port][,host[:port]…]` (some nodes of a
 * Redis Cluster). `rediss+…` for TLS. Throws naming what is wrong, never echoing a password.
 */
export function redisTargetOf(url: string): RedisTarget {
  if (/^rediss?\+cluster:/.test(url)) return clusterOf(url);
  const m = /^(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/]+)\/([^/?#]+)(?:\/(\d{1,2}))?\/?$/.exec(url);
  if (!m) {
    if (/^rediss?\+sentinel:/.test(url))
      throw new Error('must be redis+sentinel://[user:password@]host:port[,host:port]/<primary name>[/<db>]');
    return { kind: 'server', url };
  }
  const [, scheme, auth, hosts, name, db] = m;
  return {
    kind: 'sentinel',
    sentinels: hostsOf(hosts!, SENTINEL_PORT, 'sentinel'),
    name: decodeURIComponent(name!),
    db: Number(db ?? 0),
    ...authOf(auth),
    tls: scheme === 'rediss',
  };
}

function clusterOf(url: string): RedisTarget {
  const m = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]+)\/?$/.exec(url);
  if (!m)
    throw new Error('must be redis+cluster://[user:password@]host:port[,host:port…] (no database: a cluster has one)');
  const [, scheme, auth, hosts] = m;
  return {
    kind: 'cluster',
    nodes: hostsOf(hosts!, REDIS_PORT, 'cluster node'),
    ...authOf(auth),
    tls: scheme === 'rediss',
  };
}

function hostsOf(list: string, defaultPort: number, what: string): HostPort[] {
  return list.split(',').map((part) => {
    const hp = HOST_PORT.exec(part.trim());
    const port = Number(hp?.[2] ?? defaultPort);
    if (!hp || port < 1 || port > 65535) throw new Error(`names a ${what} that is not host:port (${part.trim()})`);
    return { host: hp[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

function authOf(auth: string | undefined): { username?: string; password?: string } {
  if (auth === undefined) return {};
  const i = auth.indexOf(':');
  const [user, password] =
    i < 0
      ? ['', decodeURIComponent(auth)]
      : [decodeURIComponent(auth.slice(0, i)), decodeURIComponent(auth.slice(i + 1))];
  return { ...(user ? { username: user } : {}), ...(password ? { password } : {}) };
}
