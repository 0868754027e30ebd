import type pg from 'pg';
import { copyDataMessages } from './copy-binary.js';
import { copyIn } from './copy-in.js';
import type { IdReserve } from './id-reserve.js';
import { COPY_NEW_ROWS, copyTuple, storedRemoteId } from './message-columns.js';
import type { IncomingRaw, StoredRef } from './message-store.js';

/** A stored row holding the same bytes or the same server identity as a message of the batch. */
interface StoredRow {
  id: string;
  sha256: string;
  remote_id: string | null;
  source: string | null;
  folder: string | null;
  uid_validity: string | null;
  internal_date: Date | null;
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
 * A message is where the server keeps it: its server identity (MessageOrigin.source: IMAP folder,
 * UIDVALIDITY and UID, or the POP3 UIDL), unique per account. Stored before (sameMessage) means a
 * row with that identity and the same bytes (a re-download after a crash, or by a fetcher that
 * lost its lock); a row with the same bytes and UID stored before identities were recorded; after
 * a UIDVALIDITY change, a row of the same folder with the same bytes and INTERNALDATE; and for a
 * POP3 message known only by its position (`#n`), a row with the same bytes not yet deleted on the
 * server. The same bytes under another identity are another delivery (OTOBO makes a ticket of
 * each): `delivery` numbers them, so the unique key (account, sha256, delivery) holds. Without
 * `lookUp` everything is copied as new, numbered from 0 within the batch; one of the unique keys
 * refuses the COPY when some of it was stored before.
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
  const before = lookUp ? await storedBefore(client, accountId, [...distinct.values()]) : [];
  const refs = new Map<string, StoredRef>();
  /** New messages by their key in the batch (a message whose identity another row holds is stored without it). */
  const fresh: { key: string; m: IncomingRaw }[] = [];
  const claimed = new Set<string>();
  const reidentified: { id: string; m: IncomingRaw }[] = [];
  for (const [key, m] of distinct) {
    const found = sameMessage(before, m, claimed);
    if (!found) {
      // An identity a row with other bytes holds (a server that gave a UID or UIDL again): new, known by its bytes.
      const taken = m.origin.source !== null && before.some((r) => r.source === m.origin.source);
      fresh.push({ key, m: taken ? { ...m, origin: { ...m.origin, source: null } } : m });
      continue;
    }
    claimed.add(found.row.id);
    if (found.reidentify) reidentified.push({ id: found.row.id, m });
    refs.set(key, {
      id: Number(found.row.id),
      sha256: m.sha256,
      isNew: false,
      status: found.row.status,
      enqueued: found.row.enqueued,
      receivedAt: found.row.received_at,
    });
  }
  if (reidentified.length > 0) await recordIdentities(client, reidentified);
  if (fresh.length > 0) {
    const { ids, now, nowUs } = await reserve.take(client, fresh.length);
    const next = new Map<string, number>();
    for (const r of before) next.set(r.sha256, Math.max(next.get(r.sha256) ?? 0, r.delivery + 1));
    const tuples = fresh.map(({ key, m }, i) => {
      const delivery = next.get(m.sha256) ?? 0;
      next.set(m.sha256, delivery + 1);
      refs.set(key, {
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

/** The server identity, or bytes and remote id where there is none (as stored: the id cut to the column). */
function identityOf(m: IncomingRaw): string {
  return m.origin.source ?? `${m.sha256}\n${storedRemoteId(m.remoteId)}`;
}

/** The stored row that is this message, if any (see copyNew), and whether it takes the message's identity. */
function sameMessage(
  rows: readonly StoredRow[],
  m: IncomingRaw,
  claimed: ReadonlySet<string>,
): { row: StoredRow; reidentify: boolean } | undefined {
  const id = storedRemoteId(m.remoteId);
  const { source, folder, uidValidity, internalDate } = m.origin;
  const free = rows.filter((r) => !claimed.has(r.id) && r.sha256 === m.sha256);
  if (source === null) {
    const row = free.find((r) => r.remote_id === id) ?? (id.startsWith('#') ? free.find((r) => !r.deleted) : undefined);
    return row && { row, reidentify: false };
  }
  const same = free.find((r) => r.source === source);
  if (same) return { row: same, reidentify: false };
  const held = rows.some((r) => r.source === source);
  // Stored before identities were recorded (or under an identity another message held): its bytes and UID.
  const legacy = free.find((r) => r.source === null && r.remote_id === id);
  if (legacy) return { row: legacy, reidentify: !held };
  if (uidValidity === null || internalDate === null) return undefined;
  // The folder's UIDVALIDITY changed: the same folder, bytes and INTERNALDATE under the old one.
  const moved = free.find(
    (r) =>
      r.folder === folder &&
      r.uid_validity !== null &&
      Number(r.uid_validity) !== uidValidity &&
      r.internal_date?.getTime() === internalDate.getTime(),
  );
  return moved && { row: moved, reidentify: !held };
}

/** Rows recognised under a new identity take it: a later re-download finds them by it. */
async function recordIdentities(client: pg.PoolClient, rows: readonly { id: string; m: IncomingRaw }[]) {
  await client.query(
    `UPDATE inbound_message t SET source = v.source, uid_validity = v.uid_validity, remote_id = v.remote_id,
       folder = v.folder FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[])
       AS v(id, source, uid_validity, remote_id, folder) WHERE t.id = v.id`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.m.origin.source),
      rows.map((r) => r.m.origin.uidValidity),
      rows.map((r) => storedRemoteId(r.m.remoteId)),
      rows.map((r) => r.m.origin.folder),
    ],
  );
}

/** The rows of this account holding some of these bytes or identities. */
async function storedBefore(client: pg.PoolClient, accountId: number, items: IncomingRaw[]): Promise<StoredRow[]> {
  const shas = [...new Set(items.map((m) => m.sha256))];
  const sources = items.flatMap((m) => (m.origin.source === null ? [] : [m.origin.source]));
  const { rows } = await client.query<StoredRow>(
    `SELECT id, sha256, remote_id, source, folder, uid_validity, internal_date, delivery,
       deleted_on_server_at IS NOT NULL AS deleted, status::text AS status, enqueued_at IS NOT NULL AS enqueued, received_at
     FROM inbound_message WHERE account_id = $1 AND (sha256 = ANY($2::text[]) OR source = ANY($3::text[])) ORDER BY id`,
    [accountId, shas, sources],
  );
  return rows.map((r) => ({ ...r, sha256: r.sha256.trim() }));
}
