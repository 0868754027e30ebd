import { dispatchOfRow } from '../accounts/index.js';
import type { Prisma, PrismaClient } from '../db/index.js';
import { MailductError } from '../errors/index.js';
import { decide, type RoutingLoader } from '../fetch/index.js';
import { buildTicketPayload, type TicketPublisher } from '../jobs/index.js';
import type { MessageStore } from '../store/index.js';
import { storableStrings } from '../text/index.js';
import { parseFullMessage, type ParsedMessage } from './full-parse.js';
import { MESSAGE_SELECT, toMessageView, type MessageView } from './message-view.js';

export interface MessageFilter {
  accountId?: number;
  status?: 'stored' | 'dispatched' | 'ignored' | 'quarantined';
  queueId?: number;
  q?: string;
  limit: number;
  offset: number;
}

export interface MessageServiceDeps {
  prisma: PrismaClient;
  store: MessageStore;
  routing: RoutingLoader;
  publisher: TicketPublisher;
}

/** Stored messages: listing, raw bytes, full parse, and reprocessing of quarantined ones. */
export class MessageService {
  constructor(private readonly deps: MessageServiceDeps) {}

  /** Newest first. */
  async list(f: MessageFilter): Promise<{ items: MessageView[]; total: number }> {
    const q = f.q?.trim();
    const where: Prisma.InboundMessageWhereInput = {
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
    const [rows, total] = await Promise.all([
      this.deps.prisma.inboundMessage.findMany({
        where,
        select: MESSAGE_SELECT,
        orderBy: { id: 'desc' },
        skip: f.offset,
        take: f.limit,
      }),
      this.deps.prisma.inboundMessage.count({ where }),
    ]);
    return { items: rows.map(toMessageView), total };
  }

  /** One message. Throws MESSAGE_NOT_FOUND. */
  async get(id: number): Promise<MessageView> {
    const row = await this.deps.prisma.inboundMessage.findUnique({ where: { id: BigInt(id) }, select: MESSAGE_SELECT });
    if (!row) throw notFound(id);
    return toMessageView(row);
  }

  /** The raw RFC 5322 bytes, exactly as downloaded. Throws MESSAGE_NOT_FOUND. */
  async raw(id: number): Promise<Buffer> {
    const row = await this.deps.prisma.inboundMessage.findUnique({ where: { id: BigInt(id) }, select: { raw: true } });
    if (!row) throw notFound(id);
    if (!row.raw)
      throw new MailductError(
        'MESSAGE_NOT_FOUND',
        `the raw mail of message ${id} was removed after its retention period`,
      );
    return Buffer.from(row.raw);
  }

  /**
   * The full MIME parse, computed on first request and cached on the row (jsonb: a NUL or an
   * unpaired surrogate in the mail's text becomes U+FFFD, in the cache and the answer alike).
   */
  async parsed(id: number): Promise<ParsedMessage> {
    const row = await this.deps.prisma.inboundMessage.findUnique({
      where: { id: BigInt(id) },
      select: { parsed: true },
    });
    if (!row) throw notFound(id);
    if (row.parsed) return row.parsed as unknown as ParsedMessage;
    const parsed = storableStrings(await parseFullMessage(await this.raw(id)));
    await this.deps.prisma.inboundMessage.update({
      where: { id: BigInt(id) },
      data: { parsed: parsed as unknown as Prisma.InputJsonValue },
    });
    return parsed;
  }

  /**
   * Dispatch a quarantined message again with its account's current trust and dispatch
   * settings (never as trusted unless the account is), and enqueue its ticket.
   * Throws MESSAGE_NOT_FOUND, MESSAGE_NOT_REPROCESSABLE.
   */
  async reprocess(id: number): Promise<MessageView> {
    const row = await this.deps.prisma.inboundMessage.findUnique({
      where: { id: BigInt(id) },
      include: { account: true },
    });
    if (!row) throw notFound(id);
    if (row.status !== 'quarantined')
      throw new MailductError(
        'MESSAGE_NOT_REPROCESSABLE',
        `message ${id} is ${row.status}; only quarantined messages can be reprocessed`,
      );
    if (!row.account)
      throw new MailductError(
        'MESSAGE_NOT_REPROCESSABLE',
        `the account of message ${id} was deleted; its trust and dispatch settings are unknown`,
      );
    if (!row.raw)
      throw new MailductError('MESSAGE_NOT_REPROCESSABLE', `the raw mail of message ${id} is no longer kept`);
    const outcome = {
      id,
      ...decide(
        Buffer.from(row.raw),
        { trusted: row.account.trusted, dispatch: dispatchOfRow(row.account) },
        await this.deps.routing.load(),
      ),
    };
    await this.deps.store.recordOutcomes([outcome]);
    if (outcome.status === 'dispatched') {
      const rows = await this.deps.store.ticketRows([id]);
      await this.deps.publisher.publish(rows.map(buildTicketPayload));
      await this.deps.store.markEnqueued([id]);
    }
    return this.get(id);
  }
}

function notFound(id: number): MailductError {
  return new MailductError('MESSAGE_NOT_FOUND', `message ${id} does not exist`);
}
