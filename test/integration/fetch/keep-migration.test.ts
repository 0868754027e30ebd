import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';
import { adminQuery } from '../../helpers/services.js';

// Migration 20261202000500_keep_on_server on rows an earlier mailduct stored: POP3 rows take their
// UIDL as identity where it identifies one message, deleted rows are recorded so, IMAP accounts
// keep their folder as the one they read.
const MIGRATIONS = join(ROOT, 'prisma', 'migrations');
const KEEP = '20261202000500_keep_on_server';
let db: pg.Client;
let url: string;
let base: string;

beforeAll(async () => {
  base = inject('databaseBaseUrl');
  const name = `mailduct_keep_migration_${process.pid}`;
  await adminQuery(base, `DROP DATABASE IF EXISTS "${name}"`);
  await adminQuery(base, `CREATE DATABASE "${name}"`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  url = u.toString();
  db = new pg.Client({ connectionString: url });
  await db.connect();
  for (const dir of readdirSync(MIGRATIONS)
    .filter((d) => /^\d/.test(d) && d < KEEP)
    .sort())
    await db.query(readFileSync(join(MIGRATIONS, dir, 'migration.sql'), 'utf8'));
});
afterAll(async () => {
  await db?.end();
  if (url) await adminQuery(base, `DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
});

async function account(type: string, user: string, folder: string | null): Promise<number> {
  const { rows } = await db.query(
    `INSERT INTO mail_account (type, host, username, password_enc, imap_folder, updated_at)
     VALUES ($1, 'mail.example.test', $2, 'x', $3, now()) RETURNING id`,
    [type, user, folder],
  );
  return rows[0].id;
}

async function message(accountId: number, remoteId: string, n: number, deleted = false): Promise<void> {
  await db.query(
    `INSERT INTO inbound_message (account_id, sha256, size, remote_id, status, deleted_on_server_at)
     VALUES ($1, $2, 10, $3, 'dispatched', $4)`,
    [accountId, String(n).padStart(64, '0'), remoteId, deleted ? new Date() : null],
  );
}

describe(KEEP, () => {
  it('gives rows stored before their identity where it is certain, and accounts their folders', async () => {
    const pop = await account('POP3S', 'pop', null);
    const imap = await account('IMAPS', 'imap', 'Support');
    await message(pop, 'uidl-a', 1, true);
    await message(pop, 'uidl-b', 2);
    await message(pop, 'twice', 3);
    await message(pop, 'twice', 4);
    await message(pop, '#7', 5);
    await message(imap, '41', 6, true);
    await db.query(readFileSync(join(MIGRATIONS, KEEP, 'migration.sql'), 'utf8'));
    const { rows } = await db.query(
      'SELECT account_id, remote_id, source, server_action FROM inbound_message ORDER BY id',
    );
    expect(rows.map((r) => [r.remote_id, r.source, r.server_action])).toEqual([
      ['uidl-a', 'pop3:uidl-a', 'deleted'],
      ['uidl-b', 'pop3:uidl-b', null],
      ['twice', null, null],
      ['twice', null, null],
      ['#7', null, null],
      ['41', null, 'deleted'],
    ]);
    const accounts = await db.query(
      'SELECT id, imap_folders, after_fetch, initial_import FROM mail_account ORDER BY id',
    );
    expect(accounts.rows).toEqual([
      { id: pop, imap_folders: [], after_fetch: 'delete', initial_import: 'all' },
      { id: imap, imap_folders: ['Support'], after_fetch: 'delete', initial_import: 'all' },
    ]);
    // the identity is unique per account
    await expect(
      db.query(`INSERT INTO inbound_message (account_id, sha256, size, source) VALUES ($1, $2, 1, 'pop3:uidl-b')`, [
        pop,
        '9'.repeat(64),
      ]),
    ).rejects.toThrow(/inbound_message_account_id_source_key/);
  });
});
