import { hash } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from '@mailduct/core/db';
import { buildRoutingTable } from '@mailduct/core/dispatch';
import { isMailductError } from '@mailduct/core/errors';
import { decide, originOf as originOfMessage } from '@mailduct/core/fetch';
import { PgMessageStore, type IncomingRaw } from '@mailduct/core/store';
import { createTestContext, type TestContext } from '../../helpers/context.js';
import { adminQuery } from '../../helpers/services.js';

let ctx: TestContext;
let pool: pg.Pool;
let store: PgMessageStore;
let accountId: number;
const table = buildRoutingTable(
  [{ id: 2, name: 'Raw', valid: true }],
  [{ address: 'desk@example.test', queueId: 2, valid: true }],
  'Raw',
);

beforeAll(async () => {
  ctx = await createTestContext();
  pool = createPgPool(ctx.databaseUrl);
  store = new PgMessageStore(pool);
  const r = await pool.query(
    `INSERT INTO mail_account (type, host, port, username, password_enc, dispatch_by) VALUES ('POP3', 'mail.example.test', 110, 'desk', 'x', 'to') RETURNING id`,
  );
  accountId = r.rows[0].id;
});
afterAll(async () => {
  await pool?.end();
  await ctx?.drop();
});

let serial = 0;
function mail(
  body: string | Buffer,
  headers = `To: desk@example.test\r\nSubject: Grüße ${++serial}\r\nMessage-ID: <m${serial}@example.test>\r\n`,
): IncomingRaw {
  const raw = Buffer.concat([Buffer.from(`${headers}\r\n`), Buffer.isBuffer(body) ? body : Buffer.from(body)]);
  return incoming(raw);
}

/** A POP3 message's origin: its UIDL is its identity, a position (#n) is none. */
function originOf(remoteId: string): IncomingRaw['origin'] {
  return originOfMessage({ folder: null, uidValidity: null }, remoteId);
}

function withRemoteId(m: IncomingRaw, remoteId: string): IncomingRaw {
  return { ...m, remoteId, origin: originOf(remoteId) };
}

function incoming(raw: Buffer, remoteId = `uid-${++serial}`): IncomingRaw {
  return {
    sha256: hash('sha256', raw, 'hex'),
    size: raw.length,
    raw,
    remoteId,
    origin: originOf(remoteId),
    verdict: decide(raw, { trusted: false, dispatch: { by: 'to' } }, table),
  };
}

describe('PgMessageStore.put (binary COPY)', () => {
  it('stores the raw bytes and the verdict exactly, one new row per message', async () => {
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256)); // every byte value, NUL included
    const items = [mail('plain text body\r\n'), mail(binary), incoming(Buffer.from('no header block at all'))];
    const refs = await store.put(accountId, items);
    expect(refs.map((r) => r.isNew)).toEqual([true, true, true]);
    expect(new Set(refs.map((r) => r.id)).size).toBe(3);
    const { rows } = await pool.query('SELECT * FROM inbound_message WHERE id = ANY($1::bigint[]) ORDER BY id', [
      refs.map((r) => r.id),
    ]);
    expect(rows).toHaveLength(3);
    for (const [i, item] of items.entries()) {
      const row = rows.find((r) => Number(r.id) === refs[i]!.id)!;
      expect(Buffer.compare(row.raw, item.raw)).toBe(0);
      expect(row.sha256).toBe(item.sha256);
      expect(row.size).toBe(item.raw.length);
      expect(row.account_id).toBe(accountId);
      expect(row.remote_id).toBe(item.remoteId);
      expect(row.status).toBe(item.verdict.status);
      expect(refs[i]!.status).toBe(item.verdict.status);
      expect(row.received_at.getTime()).toBe(refs[i]!.receivedAt.getTime());
      expect(row.dispatched_at.getTime()).toBe(row.received_at.getTime());
      expect(row.enqueued_at).toBeNull();
    }
    const [text, , broken] = refs.map((r) => rows.find((row) => Number(row.id) === r.id)!);
    expect(text.queue_id).toBe(2);
    expect(text.subject).toMatch(/^Grüße \d+$/);
    expect(text.subject).toBe(items[0]!.verdict.summary?.subject);
    expect(text.headers.subject).toBe(text.subject);
    expect(text.dispatch.reason).toBeTypeOf('string');
    expect(text.attributes).toEqual({});
    expect(broken.status).toBe('quarantined');
    expect(broken.error).toMatch(/header/);
    expect(broken.queue_id).toBeNull();
    expect(broken.dispatch).toBeNull();
  });

  it('stores headers holding NUL bytes or a lone UTF-16 surrogate, which PostgreSQL refuses in text and jsonb', async () => {
    // A NUL in Message-ID, In-Reply-To, References and X-OTOBO-* values (trusted account), and a
    // subject in UTF-16 that decodes to an unpaired surrogate: before, the batch failed every run.
    const headers = [
      'To: desk@example.test',
      'Message-ID: <a\u0000b@example.test>',
      'In-Reply-To: <c\u0000d@example.test>',
      'References: <e\u0000f@example.test>',
      'Subject: =?utf-16be?B?2AA=?= half a pair',
      'X-OTOBO-Priority: 5 very\u0000high',
      'X-OTOBO-Queue: Ju\u0000nk',
      'X-OTOBO-DynamicField-Tag: x\u0000',
    ].join('\r\n');
    const raw = Buffer.from(`${headers}\r\n\r\nbody\r\n`, 'latin1');
    const item = {
      ...incoming(raw, 'uidl-\u0000-from-a-hostile-server'),
      verdict: decide(raw, { trusted: true, dispatch: { by: 'to' } }, table),
    };
    expect(item.verdict.status).toBe('dispatched');
    const [ref] = await store.put(accountId, [item]);
    const { rows } = await pool.query(
      'SELECT raw, status, remote_id, message_id_header, headers, attributes, dispatch FROM inbound_message WHERE id = $1',
      [ref!.id],
    );
    expect(rows[0].remote_id).toBe('uidl-\uFFFD-from-a-hostile-server');
    expect(Buffer.compare(rows[0].raw, raw)).toBe(0);
    expect(rows[0].status).toBe('dispatched');
    expect(rows[0].message_id_header).toBe('<a\uFFFDb@example.test>');
    expect(rows[0].headers.inReplyTo).toBe('<c\uFFFDd@example.test>');
    expect(rows[0].headers.references).toEqual(['<e\uFFFDf@example.test>']);
    expect(rows[0].headers.subject).toBe('\uFFFD half a pair');
    expect(rows[0].attributes.Priority).toBe('5 very\uFFFDhigh');
    expect(JSON.stringify(rows[0])).not.toMatch(/\\u0000/);
  });

  it('stores a message whose verdict PostgreSQL refuses as quarantined with the reason, and the rest of its batch as decided', async () => {
    // A verdict decide() would never produce now (a NUL in the subject): stands for any value the
    // database refuses, so that one such mail cannot block its account.
    const bad = mail('refused verdict');
    const refused: IncomingRaw = {
      ...bad,
      verdict: { ...bad.verdict, summary: { ...bad.verdict.summary!, subject: 'nul\u0000' } } as IncomingRaw['verdict'],
    };
    const items = [mail('before it'), refused, mail('after it')];
    const refs = await store.put(accountId, items);
    expect(refs.map((r) => [r.isNew, r.status])).toEqual([
      [true, 'dispatched'],
      [true, 'quarantined'],
      [true, 'dispatched'],
    ]);
    const { rows } = await pool.query(
      'SELECT id, raw, status, subject, error, queue_id FROM inbound_message WHERE id = ANY($1::bigint[]) ORDER BY id',
      [refs.map((r) => r.id)],
    );
    expect(rows.map((r) => r.status)).toEqual(['dispatched', 'quarantined', 'dispatched']);
    const quarantined = rows.find((r) => Number(r.id) === refs[1]!.id)!;
    expect(Buffer.compare(quarantined.raw, refused.raw)).toBe(0);
    expect(quarantined.error).toMatch(/^PostgreSQL refused what was read from the headers \(22/);
    expect(quarantined.subject).toBeNull();
    expect(quarantined.queue_id).toBeNull();
    const again = await store.put(accountId, items);
    expect(again.map((r) => [r.id, r.isNew])).toEqual(refs.map((r) => [r.id, false]));
  });

  it('finds bytes stored before instead of storing them again, with their state', async () => {
    const items = [mail('once'), mail('twice')];
    const first = await store.put(accountId, items);
    await store.markEnqueued([first[0]!.id]);
    const again = await store.put(accountId, [items[1]!, mail('new'), items[0]!]);
    expect(again.map((r) => r.isNew)).toEqual([false, true, false]);
    expect(again[0]!.id).toBe(first[1]!.id);
    expect(again[2]!.id).toBe(first[0]!.id);
    expect(again[2]!.enqueued).toBe(true);
    expect(again[0]!.enqueued).toBe(false);
    expect(again[2]!.receivedAt.getTime()).toBe(first[0]!.receivedAt.getTime());
    const count = await pool.query('SELECT count(*)::int AS n FROM inbound_message WHERE sha256 = ANY($1::text[])', [
      items.map((m) => m.sha256),
    ]);
    expect(count.rows[0].n).toBe(2);
  });

  it('stores the same bytes under two server ids in one batch as two deliveries, under one id once', async () => {
    const a = mail('duplicate in the mailbox');
    const twin = withRemoteId(a, 'another-uid');
    const refs = await store.put(accountId, [a, twin, { ...a }]);
    expect(refs[0]!.id).not.toBe(refs[1]!.id);
    expect(refs[2]).toEqual(refs[0]);
    const { rows } = await pool.query(
      'SELECT remote_id, delivery FROM inbound_message WHERE sha256 = $1 ORDER BY delivery',
      [a.sha256],
    );
    expect(rows).toEqual([
      { remote_id: a.remoteId, delivery: 0 },
      { remote_id: 'another-uid', delivery: 1 },
    ]);
  });

  it('knows a message by its bytes and server id, also once it is deleted on the server', async () => {
    const a = mail('deleted on the server, downloaded again by a fetcher that lost its lock');
    const [first] = await store.put(accountId, [a]);
    await store.recordServerAction([first!.id], 'deleted');
    const [again] = await store.put(accountId, [a]);
    expect(again).toMatchObject({ id: first!.id, isNew: false });
    const [redelivered] = await store.put(accountId, [withRemoteId(a, 'a-new-uid')]);
    expect(redelivered).toMatchObject({ isNew: true });
  });

  it('knows a POP3 message listed by position (#n) by its bytes while it is on the server', async () => {
    const a = withRemoteId(mail('a POP3 server without UIDL'), '#1');
    const [first] = await store.put(accountId, [a]);
    // after a crash the maildrop is numbered anew: the same mail is #3 now
    expect((await store.put(accountId, [withRemoteId(a, '#3')]))[0]).toMatchObject({ id: first!.id, isNew: false });
    await store.recordServerAction([first!.id], 'deleted');
    expect((await store.put(accountId, [withRemoteId(a, '#2')]))[0]).toMatchObject({ isNew: true });
  });

  it('concurrent writers of the same batch end with one row per message and agree on its id', async () => {
    const others = Array.from({ length: 4 }, () => new PgMessageStore(pool));
    const items = Array.from({ length: 30 }, (_, i) => mail(`race ${i} `.repeat(200)));
    const results = await Promise.all(others.map((s) => s.put(accountId, items)));
    for (const [i, item] of items.entries()) {
      const refs = results.map((r) => r[i]!);
      expect(new Set(refs.map((r) => r.id)).size).toBe(1);
      expect(refs.filter((r) => r.isNew)).toHaveLength(1);
      expect(refs.every((r) => r.sha256 === item.sha256)).toBe(true);
    }
    const count = await pool.query(
      'SELECT count(*)::int AS n FROM inbound_message WHERE account_id = $1 AND sha256 = ANY($2::text[])',
      [accountId, items.map((m) => m.sha256)],
    );
    expect(count.rows[0].n).toBe(items.length);
  });

  it('a refused COPY stores nothing, fails as STORAGE_UNAVAILABLE, and leaves the pool usable', async () => {
    const items = [mail('for an account that does not exist')];
    const err = await store.put(999_999, items).catch((e: unknown) => e);
    expect(isMailductError(err) && err.code).toBe('STORAGE_UNAVAILABLE');
    expect((err as Error).message).toMatch(/cannot store messages/);
    const none = await pool.query('SELECT count(*)::int AS n FROM inbound_message WHERE sha256 = $1', [
      items[0]!.sha256,
    ]);
    expect(none.rows[0].n).toBe(0);
    const refs = await store.put(accountId, items);
    expect(refs[0]!.isNew).toBe(true);
  });

  it('stores a batch of new mail with its COPY alone once ids are reserved', async () => {
    const counted = createPgPool(ctx.databaseUrl);
    const statements: string[] = [];
    counted.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        statements.push(
          typeof args[0] === 'string' ? args[0].trim().split(/\s+/)[0]! : (args[0] as object).constructor.name,
        );
        return query(...args);
      };
    });
    try {
      const own = new PgMessageStore(counted);
      const first = await own.put(accountId, [mail('reserves ids')]);
      expect(statements).toEqual(['SELECT', 'CopyInQuery']); // ids and the clock, then the COPY
      statements.length = 0;
      const next = await own.put(accountId, [mail('one'), mail('two'), mail('three')]);
      expect(statements).toEqual(['CopyInQuery']);
      const ids = [...first, ...next].map((r) => r.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(4);
    } finally {
      await counted.end();
    }
  });

  it("dates rows by PostgreSQL's clock, later batches later", async () => {
    const dbNow = async () =>
      (await pool.query<{ now: Date }>('SELECT now()::timestamp(3) AS now')).rows[0]!.now.getTime();
    const before = await dbNow();
    const [a] = await store.put(accountId, [mail('early')]);
    await new Promise((r) => setTimeout(r, 50));
    const [b] = await store.put(accountId, [mail('late')]);
    const after = await dbNow();
    expect(a!.receivedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(b!.receivedAt.getTime() - a!.receivedAt.getTime()).toBeGreaterThanOrEqual(45);
    expect(b!.receivedAt.getTime()).toBeLessThanOrEqual(after + 20); // later by at most the reservation's way to PostgreSQL
    const { rows } = await pool.query(
      'SELECT id, received_at FROM inbound_message WHERE id = ANY($1::bigint[]) ORDER BY id',
      [[a!.id, b!.id]],
    );
    expect(rows.map((r) => r.received_at.getTime())).toEqual([a!.receivedAt.getTime(), b!.receivedAt.getTime()]);
  });
});

describe('PgMessageStore.warm', () => {
  it('opens the connections a run needs, at most as many as the pool holds', async () => {
    const small = createPgPool(ctx.databaseUrl, 2);
    try {
      await new PgMessageStore(small).warm(5);
      expect(small.totalCount).toBe(2);
      expect(small.idleCount).toBe(2);
    } finally {
      await small.end();
    }
  });

  it('fails as STORAGE_UNAVAILABLE, saying so, on a database that is not migrated', async () => {
    const u = new URL(ctx.databaseUrl);
    const name = `${u.pathname.slice(1)}_empty`;
    await adminQuery(ctx.databaseUrl, `CREATE DATABASE "${name}"`);
    u.pathname = `/${name}`;
    const empty = createPgPool(u.toString());
    try {
      const err = await new PgMessageStore(empty).warm(3).catch((e: unknown) => e);
      expect(isMailductError(err) && err.code).toBe('STORAGE_UNAVAILABLE');
      expect((err as Error).message).toMatch(/not migrated .*mailduct migrate/);
    } finally {
      await empty.end();
      await adminQuery(ctx.databaseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  });
});
