import type { MailAccountRow, Prisma, PrismaClient } from '../db/index.js';

/** The columns of a message listing: never the raw bytes or the cached parse. */
const MESSAGE_SELECT = {
  id: true,
  accountId: true,
  sha256: true,
  size: true,
  remoteId: true,
  messageIdHeader: true,
  subject: true,
  fromAddress: true,
  status: true,
  queueId: true,
  queue: { select: { name: true } },
  dispatch: true,
  attributes: true,
  headers: true,
  error: true,
  receivedAt: true,
  dispatchedAt: true,
  enqueuedAt: true,
  consumedAt: true,
  deletedOnServerAt: true,
} satisfies Prisma.InboundMessageSelect;

/** A stored message as listed (see messages/message-view.ts for its API shape). */
export type MessageRow = Prisma.InboundMessageGetPayload<{ select: typeof MESSAGE_SELECT }>;

export interface MessageFilter {
  accountId?: number;
  status?: 'stored' | 'dispatched' | 'ignored' | 'quarantined';
  queueId?: number;
  q?: string;
  limit: number;
  offset: number;
}

/** What reprocessing a message needs: its outcome so far, its bytes and its account's settings. */
export interface ReprocessSource {
  status: MessageRow['status'];
  raw: Buffer | null;
  account: MailAccountRow | null;
}

/**
 * The reads of stored messages for the API and the UI (Prisma: not on the fetch path), and the
 * cached full parse. The fetch path's reads and writes are in message-repository.ts.
 */
export class MessageReadRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Newest first. */
  async list(f: MessageFilter): Promise<{ rows: MessageRow[]; total: number }> {
    const where = whereOf(f);
    const [rows, total] = await Promise.all([
      this.prisma.inboundMessage.findMany({
        where,
        select: MESSAGE_SELECT,
        orderBy: { id: 'desc' },
        skip: f.offset,
        take: f.limit,
      }),
      this.prisma.inboundMessage.count({ where }),
    ]);
    return { rows, total };
  }

  async get(id: number): Promise<MessageRow | null> {
    return this.prisma.inboundMessage.findUnique({ where: { id: BigInt(id) }, select: MESSAGE_SELECT });
  }

  /** The cached parse (undefined: no such message; null: not parsed yet). */
  async cachedParse(id: number): Promise<unknown> {
    const row = await this.prisma.inboundMessage.findUnique({ where: { id: BigInt(id) }, select: { parsed: true } });
    return row ? row.parsed : undefined;
  }

  async saveParse(id: number, parsed: unknown): Promise<void> {
    await this.prisma.inboundMessage.update({
      where: { id: BigInt(id) },
      data: { parsed: parsed as Prisma.InputJsonValue },
    });
  }

  async reprocessSource(id: number): Promise<ReprocessSource | null> {
    const row = await this.prisma.inboundMessage.findUnique({
      where: { id: BigInt(id) },
      select: { status: true, raw: true, account: true },
    });
    return row && { status: row.status, raw: row.raw ? Buffer.from(row.raw) : null, account: row.account };
  }
}

function whereOf(f: MessageFilter): Prisma.InboundMessageWhereInput {
  const q = f.q?.trim();
  return {
    ...(f.accountId ? { accountId: f.accountId } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.queueId ? { queueId: f.queueId } : {}),
    ...(q
      ? {
          OR: [
            { subject: { contains: q, mode: 'insensitive' } },
            { fromAddress: { contains: q, mode: 'insensitive' } },
            { messageIdHeader: { contains: q } },
          ],
        }
      : {}),
  };
}
