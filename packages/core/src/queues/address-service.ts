import { diffFields, recordAudit } from '../audit/index.js';
import { isRowId, type PrismaClient, type SystemAddressRow } from '../db/index.js';
import { MailductError, validationError } from '../errors/index.js';
import { normalizeAddress, type AddressInput } from './queue-rules.js';

/** The public shape of a system address. */
export interface AddressView {
  id: number;
  address: string;
  displayName: string | null;
  queueId: number;
  queueName: string | null;
  valid: boolean;
  comment: string | null;
  createdAt: string;
  updatedAt: string;
}

type Row = SystemAddressRow & { queue?: { name: string } | null };
const withQueue = { queue: { select: { name: true } } } as const;

/** System addresses: the recipient addresses that route mail into queues (dispatch by To:). */
export class AddressService {
  constructor(private readonly prisma: PrismaClient) {}

  /** Addresses in address order; `q` matches address, display name and comment. */
  async list(filter: {
    q?: string;
    includeInvalid?: boolean;
    queueId?: number;
    limit: number;
    offset: number;
  }): Promise<{ items: AddressView[]; total: number }> {
    const q = filter.q?.trim();
    const insensitive = 'insensitive' as const;
    const where = {
      ...(filter.includeInvalid === false ? { valid: true } : {}),
      ...(filter.queueId ? { queueId: filter.queueId } : {}),
      ...(q
        ? {
            OR: [
              { address: { contains: q, mode: insensitive } },
              { displayName: { contains: q, mode: insensitive } },
              { comment: { contains: q, mode: insensitive } },
            ],
          }
        : {}),
    };
    const [rows, total] = await Promise.all([
      this.prisma.systemAddress.findMany({
        where,
        include: withQueue,
        orderBy: [{ address: 'asc' }],
        skip: filter.offset,
        take: filter.limit,
      }),
      this.prisma.systemAddress.count({ where }),
    ]);
    return { items: rows.map(toAddressView), total };
  }

  /** One address. Throws ADDRESS_NOT_FOUND. */
  async get(id: number): Promise<AddressView> {
    return toAddressView(await this.row(id));
  }

  /** Create an address. Throws VALIDATION_FAILED, ADDRESS_EXISTS. */
  async create(input: AddressInput, actor: string): Promise<AddressView> {
    const data = normalizeAddress(input);
    await this.checkQueue(data.queueId);
    await this.checkUnique(data.address, null);
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await tx.systemAddress.create({ data, include: withQueue });
      await recordAudit(tx, {
        actor,
        action: 'create',
        entity: 'system_address',
        entityId: created.id,
        changes: diffFields(null, data),
      });
      return created;
    });
    return toAddressView(row);
  }

  /** Change an address. Throws ADDRESS_NOT_FOUND, VALIDATION_FAILED, ADDRESS_EXISTS. */
  async update(id: number, patch: Partial<AddressInput>, actor: string): Promise<AddressView> {
    const current = await this.row(id);
    const before = {
      address: current.address,
      displayName: current.displayName,
      queueId: current.queueId,
      valid: current.valid,
      comment: current.comment,
    };
    const data = normalizeAddress({ ...before, ...patch });
    if (data.queueId !== current.queueId) await this.checkQueue(data.queueId);
    if (data.address !== current.address) await this.checkUnique(data.address, id);
    const row = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.systemAddress.update({ where: { id }, data, include: withQueue });
      const changes = diffFields(before, data);
      if (Object.keys(changes).length > 0)
        await recordAudit(tx, { actor, action: 'update', entity: 'system_address', entityId: id, changes });
      return updated;
    });
    return toAddressView(row);
  }

  /** Delete an address. Throws ADDRESS_NOT_FOUND. */
  async remove(id: number, actor: string): Promise<void> {
    const current = await this.row(id);
    await this.prisma.$transaction(async (tx) => {
      await tx.systemAddress.delete({ where: { id } });
      await recordAudit(tx, {
        actor,
        action: 'delete',
        entity: 'system_address',
        entityId: id,
        changes: diffFields({ address: current.address, queueId: current.queueId }, null),
      });
    });
  }

  private async checkQueue(queueId: number): Promise<void> {
    const queue = isRowId(queueId)
      ? await this.prisma.queue.findUnique({ where: { id: queueId }, select: { id: true } })
      : null;
    if (!queue) throw validationError([{ field: 'queueId', problem: `queue ${queueId} does not exist` }]);
  }

  private async checkUnique(address: string, selfId: number | null): Promise<void> {
    const other = await this.prisma.systemAddress.findUnique({ where: { address } });
    if (other && other.id !== selfId) {
      throw new MailductError('ADDRESS_EXISTS', `system address ${address} already exists (id ${other.id})`, {
        details: { addressId: other.id },
      });
    }
  }

  private async row(id: number): Promise<Row> {
    const row = isRowId(id) ? await this.prisma.systemAddress.findUnique({ where: { id }, include: withQueue }) : null;
    if (!row) throw new MailductError('ADDRESS_NOT_FOUND', `system address ${id} does not exist`);
    return row;
  }
}

/** Turn a stored address into its API view. */
export function toAddressView(row: Row): AddressView {
  return {
    id: row.id,
    address: row.address,
    displayName: row.displayName,
    queueId: row.queueId,
    queueName: row.queue?.name ?? null,
    valid: row.valid,
    comment: row.comment,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
