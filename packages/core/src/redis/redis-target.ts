/** Where Redis is: one server, or a primary found through Sentinel. */
export type RedisTarget =
  | { kind: 'server'; url: string }
  | {
      kind: 'sentinel';
      sentinels: { host: string; port: number }[];
      /** The monitored primary's name (Sentinel's `sentinel monitor <name> …`). */
      name: string;
      db: number;
      username?: string;
      password?: string;
      tls: boolean;
    };

const SENTINEL_PORT = 26379;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

/**
 * Read REDIS_URL: `redis://` or `rediss://` (one server), or
 * `redis+sentinel://[user:password@]host[:port][,host[:port]…]/<primary name>[/<db>]`
 * (`rediss+sentinel://` for TLS): the sentinels to ask, and the name of the primary they
 * monitor. The password (if any) is the primary's. Throws naming what is wrong, never echoing a
 * password.
 */
export function redisTargetOf(url: string): RedisTarget {
  const m = /^(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/]+)\/([^/?#]+)(?:\/(\d{1,2}))?\/?$/.exec(url);
  if (!m) {
    if (/^rediss?\+sentinel:/.test(url))
      throw new Error('must be redis+sentinel://[user:password@]host:port[,host:port]/<primary name>[/<db>]');
    return { kind: 'server', url };
  }
  const [, scheme, auth, hosts, name, db] = m;
  const sentinels = hosts!.split(',').map((part) => {
    const hp = HOST_PORT.exec(part.trim());
    const port = Number(hp?.[2] ?? SENTINEL_PORT);
    if (!hp || port < 1 || port > 65535) throw new Error(`names a sentinel that is not host:port (${part.trim()})`);
    return { host: hp[1]!.replace(/^\[|\]$/g, ''), port };
  });
  const [user, password] = auth === undefined ? [] : splitAuth(auth);
  return {
    kind: 'sentinel',
    sentinels,
    name: decodeURIComponent(name!),
    db: Number(db ?? 0),
    ...(user ? { username: user } : {}),
    ...(password ? { password } : {}),
    tls: scheme === 'rediss',
  };
}

function splitAuth(auth: string): [string, string] {
  const i = auth.indexOf(':');
  return i < 0
    ? ['', decodeURIComponent(auth)]
    : [decodeURIComponent(auth.slice(0, i)), decodeURIComponent(auth.slice(i + 1))];
}
