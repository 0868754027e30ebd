import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgMessageStore } from '@mailduct/core/store';
import { createTestContext, type TestContext } from '../../helpers/context.js';

// Housekeeping runs every minute; the raw-mail expiry must be a statement its partial index can
// serve (migration 20261205000100), or it reads the whole table each time (bench/scale/housekeeping).
// With sequential scans off, pg_stat_user_indexes shows which index a statement read and how many
// entries: a statement that no longer matches its index's condition, or reads all of it instead of
// the rows due, fails here. The rows: 2,000 received a day ago, a third holding raw mail, four in
// five consumed, half deleted on the server — nothing old enough to expire.
let ctx: TestContext;
let pool: pg.Pool;
let store: PgMessageStore;
beforeAll(async () => {
  ctx = await createTestContext();
  pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 1, options: '-c enable_seqscan=off' });
  store = new PgMessageStore(pool);
  await pool.query(
    `INSERT INTO mail_account (type, host, port, username, password_enc, dispatch_by) VALUES ('POP3', 'h', 110, 'u', 'x', 'to')`,
  );
  await pool.query(`INSERT INTO inbound_message (account_id, sha256, size, raw, status, received_at, consumed_at,
      deleted_on_server_at) SELECT 1, lpad(to_hex(g), 64, '0'), 10, CASE WHEN g % 3 = 0 THEN '\\x00'::bytea END,
      'dispatched', now() - interval '1 day', CASE WHEN g % 5 > 0 THEN now() END, CASE WHEN g % 2 = 0 THEN now() END
    FROM generate_series(1, 2000) g`);
  await pool.query('ANALYZE inbound_message');
});
afterAll(async () => {
  await pool?.end();
  await ctx?.drop();
});

/** Entries read from each index, on the pool's one connection after flushing its counters. */
async function entriesRead(): Promise<Record<string, number>> {
  await pool.query('SELECT pg_stat_force_next_flush()');
  await pool.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await pool.query<{ name: string; scans: string }>(
    `SELECT indexrelname AS name, idx_tup_read AS scans FROM pg_stat_user_indexes WHERE relname = 'inbound_message'`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.scans)]));
}

describe('housekeeping statements', () => {
  it('the raw-mail expiry reads inbound_message_raw_held_idx, only the rows it may act on', async () => {
    const index = 'inbound_message_raw_held_idx';
    const before = await entriesRead();
    expect(before).toHaveProperty(index);
    // The primary key finds the rows a statement chose (nothing here); no other index is read.
    const others = Object.keys(before).filter((name) => name !== index && name !== 'inbound_message_pkey');
    expect(await store.expireRaw(30)).toBe(0);
    const after = await entriesRead();
    expect(after[index]! - before[index]!).toBe(0);
    for (const name of others) expect({ [name]: after[name] }).toEqual({ [name]: before[name] });
  });

  it('the row expiry goes on past the rows it keeps, batch after batch, through rows received at once', async () => {
    // 300 rows of one COPY (one received_at), 40 days old: deleted and consumed, kept on the
    // server, deleted but not consumed, in turn.
    const { rows } = await pool.query<{ id: string; due: boolean }>(`INSERT INTO inbound_message (account_id, sha256,
        size, status, received_at, consumed_at, deleted_on_server_at)
      SELECT 1, lpad(to_hex(100000 + g), 64, '0'), 10, 'dispatched', now() - interval '40 days',
        CASE WHEN g % 3 < 2 THEN now() - interval '40 days' END, CASE WHEN g % 3 <> 1 THEN now() END
      FROM generate_series(1, 300) g
      RETURNING id, consumed_at IS NOT NULL AND deleted_on_server_at IS NOT NULL AS due`);
    expect(await store.expireRows(30, 10)).toBe(100);
    const { rows: left } = await pool.query<{ id: string }>('SELECT id FROM inbound_message WHERE id = ANY($1)', [
      rows.map((r) => r.id),
    ]);
    expect(left.map((r) => r.id).sort()).toEqual(
      rows
        .filter((r) => !r.due)
        .map((r) => r.id)
        .sort(),
    );
  });
});
