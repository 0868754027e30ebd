import { MailductError } from '../errors/index.js';
import type { ImapFlow } from 'imapflow';
import type { RemoteMessage } from './mailbox-client.js';

/** Sequence numbers per UID SEARCH: at most ~11 bytes a UID, an answer line stays below 600 KB. */
const SEARCH_SPAN = 50_000;

/** UIDs per UID FETCH command of a listing question (INTERNALDATE): a command line stays below 24 KB. */
const FETCH_SPAN = 2_000;

/** A day: IMAP's SEARCH SINCE compares dates in the server's time zone, so ask from the day before. */
const DAY_MS = 24 * 3600 * 1000;

/**
 * The open folder's messages in server order; with `after`, only those with a higher UID (the
 * folder's cursor: its older messages cost nothing). Sizes at or below `exactAbove` may be that
 * bound instead of exact (ListOptions).
 */
export async function listFolder(
  client: ImapFlow,
  options: { exactAbove?: number; after: number },
): Promise<RemoteMessage[]> {
  const exists = client.mailbox ? client.mailbox.exists : 0;
  if (exists === 0) return [];
  const { after } = options;
  if (after > 0) {
    // UID FETCH n:* (UID RFC822.SIZE): only the new messages answer, each with its size (they
    // are downloaded next anyway). Not UID SEARCH UID n:*, which GNU Mailutils answers with
    // nothing; and not trusting UIDNEXT to skip the question. n:* names the highest UID also when
    // it is below n (RFC 3501 §6.4.8): filtered here.
    return (await listWithSizes(client, `${after + 1}:*`, true)).filter((m) => Number(m.id) > after);
  }
  if (options.exactAbove === undefined) return listWithSizes(client, '1:*', false);
  // UID SEARCH names the messages on one line each answer, and SEARCH LARGER the few whose size
  // matters; a FETCH RFC822.SIZE of the whole folder costs an untagged response per message
  // (RFC 3501 §2.3.1.1: UIDs ascend in sequence order, so UID order is server order). One
  // search per SEARCH_SPAN sequence numbers keeps each answer far below the line limit
  // (a folder of 150,000 messages answers UID SEARCH ALL with more than 1 MiB on one line).
  const bound = options.exactAbove;
  const all: number[] = [];
  const large: number[] = [];
  for (let from = 1; from <= exists; from += SEARCH_SPAN) {
    const seq = `${from}:${Math.min(exists, from + SEARCH_SPAN - 1)}`;
    all.push(...(await searchUids(client, { seq })));
    large.push(...(await searchUids(client, { seq, larger: bound })));
  }
  // A server whose SEARCH disagrees with its own EXISTS count is listed the long way.
  if (all.length !== exists) return listWithSizes(client, '1:*', false);
  return withSizes(client, all, large, bound);
}

/** UIDs in order with the exact sizes of the large ones; sequence numbers only order the listing. */
async function withSizes(client: ImapFlow, all: number[], large: number[], bound: number): Promise<RemoteMessage[]> {
  const sizes = new Map(
    (large.length > 0 ? await listWithSizes(client, large.join(','), true) : []).map((m) => [m.id, m.size]),
  );
  return all.map((uid, i) => ({ id: String(uid), seq: i + 1, size: sizes.get(String(uid)) ?? bound }));
}

async function listWithSizes(client: ImapFlow, range: string, byUid: boolean): Promise<RemoteMessage[]> {
  const messages: RemoteMessage[] = [];
  for await (const m of client.fetch(range, { uid: true, size: true }, { uid: byUid }))
    messages.push({ id: String(m.uid), seq: m.seq, size: m.size ?? 0 });
  return messages.sort((a, b) => a.seq - b.seq);
}

async function searchUids(client: ImapFlow, query: { seq?: string; uid?: string; larger?: number }): Promise<number[]> {
  const uids = await client.search(query, { uid: true });
  if (!uids)
    throw new MailductError(
      'MAIL_PROTOCOL',
      `the server refused UID SEARCH ${query.seq}${query.larger === undefined ? '' : ' LARGER'}`,
    );
  return [...uids].sort((a, b) => a - b);
}

/**
 * INTERNALDATE of the messages that may have arrived at `since` or later: UID SEARCH SINCE the day
 * before narrows them down (a folder's old mail is not asked about), UID FETCH INTERNALDATE gives
 * the exact time of the rest (MailboxClient.arrivals).
 */
export async function arrivalDates(
  client: ImapFlow,
  messages: readonly RemoteMessage[],
  since: Date,
): Promise<Map<string, Date | null>> {
  const found = await client.search({ since: new Date(since.getTime() - DAY_MS) }, { uid: true });
  if (!found) throw new MailductError('MAIL_PROTOCOL', 'the server refused UID SEARCH SINCE');
  const recent = new Set(found.map(String));
  const asked = messages.filter((m) => recent.has(m.id));
  const out = new Map<string, Date | null>();
  for (let i = 0; i < asked.length; i += FETCH_SPAN) {
    const range = asked
      .slice(i, i + FETCH_SPAN)
      .map((m) => m.id)
      .join(',');
    for await (const m of client.fetch(range, { uid: true, internalDate: true }, { uid: true })) {
      const date = m.internalDate ? new Date(m.internalDate) : null;
      out.set(String(m.uid), date && !Number.isNaN(date.getTime()) ? date : null);
    }
  }
  return out;
}
