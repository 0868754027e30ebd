import type pg from 'pg';
import { copyDataMessages } from './copy-binary.js';
import { copyIn } from './copy-in.js';
import type { IdReserve } from './id-reserve.js';
import { COPY_NEW_ROWS, copyTuple, storedRemoteId } from './message-columns.js';
import type { IncomingRaw, StoredRef } from './message-store.js';

/** A stored row holding the same bytes as a message of the batch. */
interface StoredRow {
  id: string;
  sha256: string;
  remote_id: string | null;
  delivery: number;
  deleted: boolean;
  status: StoredRef['status'];
  enqueued: boolean;
  received_at: Date;
}

/**
 * Store the messages not stored before with a binary COPY; the raw Buffers go to the socket as
 * they are. A multi-row INSERT had pg build one Bind message holding every mail of the batch,
 * growing it copy by copy (at 1 MiB mails, more CPU than PostgreSQL's own work), and PostgreSQL
 * parses and plans a VALUES list of 15 parameters per row.
 *
 * A message is its bytes and where the server keeps it (remote id: IMAP UID, POP3 UIDL). Stored
 * before means: a row with the same bytes and the same remote id (a re-download after a crash, or
 * by a fetcher that lost its lock), or, for a POP3 message known only by its position (`#n`), a
 * row with the same bytes not yet deleted on the server. The same bytes under another id are
 * another delivery (OTOBO makes a ticket of each): `delivery` numbers them, so the unique key
 * (account, sha256, delivery) holds. Without `lookUp` everything is copied as new, numbered from 0
 * within the batch; the unique key refuses the COPY when some of it was stored before.
 */
export async function copyNew(
  client: pg.PoolClient,
  accountId: number,
  items: readonly IncomingRaw[],
  reserve: IdReserve,
  lookUp: boolean,
): Promise<StoredRef[]> {
  const distinct = new Map<string, IncomingRaw>();
  for (const m of items) if (!distinct.has(identityOf(m))) distinct.set(identityOf(m), m);
  const before = lookUp
    ? await storedBefore(client, accountId, [...new Set(items.map((m) => m.sha256))])
    : new Map<string, StoredRow[]>();
  const refs = new Map<string, StoredRef>();
  const fresh: IncomingRaw[] = [];
  for (const [key, m] of distinct) {
    const row = sameMessage(before.get(m.sha256) ?? [], m);
    if (row)
      refs.set(key, {
        id: Number(row.id),
        sha256: m.sha256,
        isNew: false,
        status: row.status,
        enqueued: row.enqueued,
        receivedAt: row.received_at,
      });
    else fresh.push(m);
  }
  if (fresh.length > 0) {
    const { ids, now, nowUs } = await reserve.take(client, fresh.length);
    const next = new Map([...before].map(([sha, rows]) => [sha, Math.max(...rows.map((r) => r.delivery)) + 1]));
    const tuples = fresh.map((m, i) => {
      const delivery = next.get(m.sha256) ?? 0;
      next.set(m.sha256, delivery + 1);
      refs.set(identityOf(m), {
        id: Number(ids[i]),
        sha256: m.sha256,
        isNew: true,
        status: m.verdict.status,
        enqueued: false,
        receivedAt: now,
      });
      return copyTuple(ids[i]!, accountId, m, delivery, nowUs);
    });
    await copyIn(client, COPY_NEW_ROWS, copyDataMessages(tuples));
  }
  return items.map((m) => refs.get(identityOf(m))!);
}

/** Bytes and remote id, as stored (the id cut to the column, a NUL made storable). */
function identityOf(m: IncomingRaw): string {
  return `${m.sha256}\n${storedRemoteId(m.remoteId)}`;
}

/** The stored row that is this message, if any (see copyNew). */
function sameMessage(rows: readonly StoredRow[], m: IncomingRaw): StoredRow | undefined {
  const id = storedRemoteId(m.remoteId);
  return rows.find((r) => r.remote_id === id) ?? (id.startsWith('#') ? rows.find((r) => !r.deleted) : undefined);
}

/** The rows of this account holding some of these bytes, by sha256. */
async function storedBefore(
  client: pg.PoolClient,
  accountId: number,
  shas: string[],
): Promise<Map<string, StoredRow[]>> {
  const { rows } = await client.query<StoredRow>(
    `SELECT id, sha256, remote_id, delivery, deleted_on_server_at IS NOT NULL AS deleted, status::text AS status, enqueued_at IS NOT NULL AS enqueued, received_at
     FROM inbound_message WHERE account_id = $1 AND sha256 = ANY($2::text[]) ORDER BY id`,
    [accountId, shas],
  );
  const out = new Map<string, StoredRow[]>();
  for (const r of rows) {
    const sha = r.sha256.trim();
    const list = out.get(sha);
    if (list) list.push(r);
    else out.set(sha, [r]);
  }
  return out;
}
