import { dispatchOfRow } from '../accounts/index.js';
import type { PrismaClient } from '../db/index.js';
import { MailductError } from '../errors/index.js';
import { decide, type RoutingLoader } from '../fetch/index.js';
import { buildTicketPayload, type TicketPublisher } from '../jobs/index.js';
import { MessageReadRepository, type MessageFilter, type MessageStore } from '../store/index.js';
import { storableStrings } from '../text/index.js';
import { parseFullMessage, type ParsedMessage } from './full-parse.js';
import { toMessageView, type MessageView } from './message-view.js';

export interface MessageServiceDeps {
  prisma: PrismaClient;
  store: MessageStore;
  routing: RoutingLoader;
  publisher: TicketPublisher;
}

/** Stored messages: listing, raw bytes, full parse, and reprocessing of quarantined ones. */
/**
 * The version of the full parse cached on the row: a parse cached by an older rule (before text
 * parts with a file name became attachments) is computed again.
 */
const PARSE_VERSION = 2;

export class MessageService {
  private readonly reads: MessageReadRepository;

  constructor(private readonly deps: MessageServiceDeps) {
    this.reads = new MessageReadRepository(deps.prisma);
  }

  /** Newest first. */
  async list(f: MessageFilter): Promise<{ items: MessageView[]; total: number }> {
    const { rows, total } = await this.reads.list(f);
    return { items: rows.map(toMessageView), total };
  }

  /** One message. Throws MESSAGE_NOT_FOUND. */
  async get(id: number): Promise<MessageView> {
    const row = await this.reads.get(id);
    if (!row) throw notFound(id);
    return toMessageView(row);
  }

  /** The raw RFC 5322 bytes, exactly as downloaded. Throws MESSAGE_NOT_FOUND. */
  async raw(id: number): Promise<Buffer> {
    const raw = await this.deps.store.getRaw(id);
    if (raw === undefined) throw notFound(id);
    if (raw === null)
      throw new MailductError(
        'MESSAGE_NOT_FOUND',
        `the raw mail of message ${id} was removed after its retention period`,
      );
    return raw;
  }

  /**
   * The full MIME parse, computed on first request and cached on the row (jsonb: a NUL or an
   * unpaired surrogate in the mail's text becomes U+FFFD, in the cache and the answer alike).
   */
  async parsed(id: number): Promise<ParsedMessage> {
    const cached = (await this.reads.cachedParse(id)) as (ParsedMessage & { version?: number }) | null | undefined;
    if (cached === undefined) throw notFound(id);
    if (cached?.version === PARSE_VERSION) {
      const { version: _version, ...parsed } = cached;
      return parsed;
    }
    const parsed = storableStrings(await parseFullMessage(await this.raw(id)));
    await this.reads.saveParse(id, { ...parsed, version: PARSE_VERSION });
    return parsed;
  }

  /**
   * Dispatch a quarantined message again with its account's current trust and dispatch
   * settings (never as trusted unless the account is), and enqueue its ticket.
   * Throws MESSAGE_NOT_FOUND, MESSAGE_NOT_REPROCESSABLE.
   */
  async reprocess(id: number): Promise<MessageView> {
    const row = await this.reads.reprocessSource(id);
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
        row.raw,
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
