import { describe, expect, it } from 'vitest';
import { redisTargetOf } from './redis-target.js';

describe(redisTargetOf.name, () => {
  it('keeps a plain server URL as it is', () => {
    expect(redisTargetOf('redis://127.0.0.1:6379/2')).toEqual({ kind: 'server', url: 'redis://127.0.0.1:6379/2' });
  });

  it('reads the sentinels, the primary name, the database and the primary password', () => {
    expect(redisTargetOf('redis+sentinel://:s%40cret@10.0.0.1:26380,sentinel-b,[::1]:5000/desk-primary/3')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26380 },
        { host: 'sentinel-b', port: 26379 },
        { host: '::1', port: 5000 },
      ],
      name: 'desk-primary',
      db: 3,
      password: 's@cret',
      tls: false,
    });
    expect(redisTargetOf('rediss+sentinel://app:pw@s1:26379/mymaster')).toMatchObject({
      username: 'app',
      password: 'pw',
      tls: true,
    });
  });

  it('reads the cluster nodes and the password', () => {
    expect(redisTargetOf('redis+cluster://:pw@10.0.0.1:7000,node-b,[::1]:7002')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'node-b', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      password: 'pw',
      tls: false,
    });
    expect(redisTargetOf('rediss+cluster://app:pw@n1:6380/')).toMatchObject({ username: 'app', tls: true });
  });

  it('says what is wrong without echoing a password', () => {
    expect(() => redisTargetOf('redis+cluster://:topsecret@n1:7000/3')).toThrow(/no database/);
    expect(() => redisTargetOf('redis+cluster://:topsecret@n1:7000/3')).not.toThrow(/topsecret/);
    expect(() => redisTargetOf('redis+cluster://n1:0')).toThrow('names a cluster node that is not host:port (n1:0)');
    expect(() => redisTargetOf('redis+sentinel://:topsecret@s1:26379')).toThrow(/<primary name>/);
    expect(() => redisTargetOf('redis+sentinel://:topsecret@s1:26379')).not.toThrow(/topsecret/);
    expect(() => redisTargetOf('redis+sentinel://s1:99999/m')).toThrow(
      'names a sentinel that is not host:port (s1:99999)',
    );
  });
});
