import type { PrismaClient } from '../db/index.js';
import { buildRoutingTable, type RoutingTable } from '../dispatch/index.js';

/** Loads queues and system addresses for dispatch, cached for a few seconds across runs. */
export class RoutingLoader {
  private cached: { table: RoutingTable; until: number } | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly defaultQueueName: string,
    private readonly ttlMs = 5000,
  ) {}

  async load(): Promise<RoutingTable> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.table;
    const [queues, addresses] = await Promise.all([
      this.prisma.queue.findMany({ select: { id: true, name: true, valid: true } }),
      this.prisma.systemAddress.findMany({
        where: { valid: true },
        select: { address: true, queueId: true, valid: true },
      }),
    ]);
    const table = buildRoutingTable(queues, addresses, this.defaultQueueName);
    this.cached = { table, until: Date.now() + this.ttlMs };
    return table;
  }
}
