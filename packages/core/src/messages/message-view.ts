import type { MessageRow } from '../store/index.js';

/** The public shape of a stored message. */
export interface MessageView {
  id: number;
  accountId: number | null;
  status: string;
  queue: { id: number; name: string } | null;
  subject: string | null;
  from: string | null;
  messageIdHeader: string | null;
  size: number;
  sha256: string;
  remoteId: string | null;
  dispatch: unknown;
  attributes: unknown;
  headers: unknown;
  error: string | null;
  receivedAt: string;
  dispatchedAt: string | null;
  enqueuedAt: string | null;
  consumedAt: string | null;
  deletedOnServerAt: string | null;
  links: { raw: string; parsed: string };
}

/** Turn a stored message into its API view. */
export function toMessageView(r: MessageRow): MessageView {
  const id = Number(r.id);
  return {
    id,
    accountId: r.accountId,
    status: r.status,
    queue: r.queueId !== null && r.queue ? { id: r.queueId, name: r.queue.name } : null,
    subject: r.subject,
    from: r.fromAddress,
    messageIdHeader: r.messageIdHeader,
    size: r.size,
    sha256: r.sha256,
    remoteId: r.remoteId,
    dispatch: r.dispatch ?? null,
    attributes: r.attributes ?? null,
    headers: r.headers ?? null,
    error: r.error,
    receivedAt: r.receivedAt.toISOString(),
    dispatchedAt: r.dispatchedAt?.toISOString() ?? null,
    enqueuedAt: r.enqueuedAt?.toISOString() ?? null,
    consumedAt: r.consumedAt?.toISOString() ?? null,
    deletedOnServerAt: r.deletedOnServerAt?.toISOString() ?? null,
    links: { raw: `/api/v1/messages/${id}/raw`, parsed: `/api/v1/messages/${id}/parsed` },
  };
}
