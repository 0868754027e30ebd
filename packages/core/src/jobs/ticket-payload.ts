import type { HeaderSummary } from '../headers/index.js';
import type { TicketRow } from '../store/index.js';

/** Version 1 of the `ticket.dispatched` job payload (schema: packages/core/schemas/ticket-dispatched.v1.json). */
export interface TicketPayloadV1 {
  schemaVersion: 1;
  /** The stored message id: stable across re-deliveries; consumers dedupe by it. */
  messageId: number;
  accountId: number;
  queue: { id: number; name: string };
  dispatch: {
    by: 'queue' | 'to' | 'default' | 'x-otobo-queue';
    matchedAddress: string | null;
    header: string | null;
    reason: string;
  };
  trusted: boolean;
  /** X-OTOBO-* values of a trusted account, keyed without the prefix (e.g. "Priority"). */
  otobo: Record<string, string>;
  /** X-OTOBO* header names present in the mail but ignored because the account is untrusted. */
  strippedOtoboHeaders: string[];
  loop: { loop: boolean; reasons: string[] };
  followUp: { ticketNumbers: string[]; inReplyTo: string | null; references: string[] };
  /** The decoded From, To, Cc, Reply-To, Subject, Date, Message-ID, In-Reply-To and References. */
  headers: HeaderSummary;
  size: number;
  sha256: string;
  receivedAt: string;
  /** Relative API paths (bearer token needed): the raw RFC 5322 bytes and the full MIME parse. */
  links: { message: string; raw: string; parsed: string };
}

/** Build the payload of a stored, dispatched message (the same for first delivery and re-delivery). */
export function buildTicketPayload(row: TicketRow): TicketPayloadV1 {
  const d = row.dispatch;
  return {
    schemaVersion: 1,
    messageId: row.id,
    accountId: row.accountId,
    queue: { id: row.queueId, name: row.queueName },
    dispatch: { by: d.by, matchedAddress: d.matchedAddress, header: d.header, reason: d.reason },
    trusted: d.trusted,
    otobo: row.attributes,
    strippedOtoboHeaders: d.strippedHeaders,
    loop: d.loop,
    followUp: d.followUp,
    headers: row.headers,
    size: row.size,
    sha256: row.sha256,
    receivedAt: row.receivedAt.toISOString(),
    links: {
      message: `/api/v1/messages/${row.id}`,
      raw: `/api/v1/messages/${row.id}/raw`,
      parsed: `/api/v1/messages/${row.id}/parsed`,
    },
  };
}
