import { diffFields, recordAudit } from '../audit/index.js';
import { isRowId, type PrismaClient, type QueueRow } from '../db/index.js';
import { MailductError } from '../errors/index.js';
import { normalizeQueue, type QueueInput } from './queue-rules.js';

/** The public shape of a queue. */
export interface QueueView {
  id: number;
  name: string;
  valid: boolean;
  comment: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Ticket queues (OTOBO seeds Postmaster, Raw, Junk, Misc). */
export class QueueService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly defaultQueue: string,
  ) {}

  /** Queues in name order; `q` matches name and comment. */
  async list(filter: {
    q?: string;
    includeInvalid?: boolean;
    limit: number;
    offset: number;
  }): Promise<{ items: QueueView[]; total: number }> {
    const q = filter.q?.trim();
    const where = {
      ...(filter.includeInvalid === false ? { valid: true } : {}),
      ...(q
        ? {
            OR: [
              { name: { contains: q, mode: 'insensitive' as const } },
              { comment: { contains: q, mode: 'insensitive' as const } },
            ],
          }
        : {}),
    };
    const [rows, total] = await Promise.all([
      this.prisma.queue.findMany({
        where,
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
        skip: filter.offset,
        take: filter.limit,
      }),
      this.prisma.queue.count({ where }),
    ]);
    return { items: rows.map(toQueueView), total };
  }

  /** One queue. Throws QUEUE_NOT_FOUND. */
  async get(id: number): Promise<QueueView> {
    return toQueueView(await this.row(id));
  }

  /** Create a queue. Throws VALIDATION_FAILED, QUEUE_EXISTS. */
  async create(input: QueueInput, actor: string): Promise<QueueView> {
    const data = normalizeQueue(input);
    await this.checkName(data.name, null);
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await tx.queue.create({ data });
      await recordAudit(tx, {
        actor,
        action: 'create',
        entity: 'queue',
        entityId: created.id,
        changes: diffFields(null, data),
      });
      return created;
    });
    return toQueueView(row);
  }

  /** Change a queue. Throws QUEUE_NOT_FOUND, VALIDATION_FAILED, QUEUE_EXISTS, QUEUE_IN_USE (renaming the default queue). */
  async update(id: number, patch: Partial<QueueInput>, actor: string): Promise<QueueView> {
    const current = await this.row(id);
    const data = normalizeQueue({ name: current.name, valid: current.valid, comment: current.comment, ...patch });
    if (data.name !== current.name) {
      await this.checkName(data.name, id);
      if (current.name === this.defaultQueue) {
        throw new MailductError(
          'QUEUE_IN_USE',
          `queue "${current.name}" is the default queue (MAILDUCT_DEFAULT_QUEUE); change that setting before renaming it`,
        );
      }
    }
    const row = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.queue.update({ where: { id }, data });
      const changes = diffFields({ name: current.name, valid: current.valid, comment: current.comment }, data);
      if (Object.keys(changes).length > 0)
        await recordAudit(tx, { actor, action: 'update', entity: 'queue', entityId: id, changes });
      return updated;
    });
    return toQueueView(row);
  }

  /** Delete an unused queue. Throws QUEUE_NOT_FOUND, QUEUE_IN_USE naming what uses it. */
  async remove(id: number, actor: string): Promise<void> {
    const current = await this.row(id);
    const users = await this.usersOf(current);
    if (users.length > 0)
      throw new MailductError('QUEUE_IN_USE', `queue "${current.name}" is in use by ${users.join(' and ')}`, {
        details: { usedBy: users },
      });
    await this.prisma.$transaction(async (tx) => {
      await tx.queue.delete({ where: { id } });
      await recordAudit(tx, {
        actor,
        action: 'delete',
        entity: 'queue',
        entityId: id,
        changes: diffFields({ name: current.name }, null),
      });
    });
  }

  private async usersOf(queue: QueueRow): Promise<string[]> {
    const [accounts, addresses] = await Promise.all([
      this.prisma.mailAccount.findMany({ where: { queueId: queue.id }, select: { id: true }, orderBy: { id: 'asc' } }),
      this.prisma.systemAddress.findMany({
        where: { queueId: queue.id },
        select: { address: true },
        orderBy: { address: 'asc' },
      }),
    ]);
    const users: string[] = [];
    if (queue.name === this.defaultQueue) users.push('the default queue setting (MAILDUCT_DEFAULT_QUEUE)');
    if (accounts.length > 0)
      users.push(`mail account${accounts.length > 1 ? 's' : ''} ${accounts.map((a) => a.id).join(', ')}`);
    if (addresses.length > 0)
      users.push(`system address${addresses.length > 1 ? 'es' : ''} ${addresses.map((a) => a.address).join(', ')}`);
    return users;
  }

  private async checkName(name: string, selfId: number | null): Promise<void> {
    const other = await this.prisma.queue.findFirst({
      where: { name: { equals: name, mode: 'insensitive' }, ...(selfId ? { id: { not: selfId } } : {}) },
    });
    if (other)
      throw new MailductError('QUEUE_EXISTS', `a queue named "${other.name}" already exists (id ${other.id})`, {
        details: { queueId: other.id },
      });
  }

  private async row(id: number): Promise<QueueRow> {
    const row = isRowId(id) ? await this.prisma.queue.findUnique({ where: { id } }) : null;
    if (!row) throw new MailductError('QUEUE_NOT_FOUND', `queue ${id} does not exist`);
    return row;
  }
}

/** Turn a stored queue into its API view. */
export function toQueueView(row: QueueRow): QueueView {
  return {
    id: row.id,
    name: row.name,
    valid: row.valid,
    comment: row.comment,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
