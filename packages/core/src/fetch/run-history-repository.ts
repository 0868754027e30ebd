import type { PrismaClient } from '../db/index.js';

/** One fetch run as the API shows it. */
export interface RunView {
  id: number;
  trigger: string;
  worker: string | null;
  outcome: string;
  startedAt: string;
  finishedAt: string | null;
  fetched: number;
  duplicates: number;
  dispatched: number;
  ignored: number;
  quarantined: number;
  oversized: number;
  bytes: number;
  error: { class: string; message: string } | null;
  /** What the run left undone and why (messages left flagged on a server without UIDPLUS, repeated UIDLs, …). */
  warnings: string[];
}

/** An account's fetch runs, newest first. */
export async function listRuns(
  prisma: PrismaClient,
  accountId: number,
  page: { limit: number; offset: number },
): Promise<{ items: RunView[]; total: number }> {
  const [rows, total] = await Promise.all([
    prisma.fetchRun.findMany({ where: { accountId }, orderBy: { id: 'desc' }, skip: page.offset, take: page.limit }),
    prisma.fetchRun.count({ where: { accountId } }),
  ]);
  return {
    total,
    items: rows.map((r) => ({
      id: Number(r.id),
      trigger: r.trigger,
      worker: r.worker,
      outcome: r.outcome,
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      fetched: r.fetched,
      duplicates: r.duplicates,
      dispatched: r.dispatched,
      ignored: r.ignored,
      quarantined: r.quarantined,
      oversized: r.oversized,
      bytes: Number(r.bytes),
      error: r.errorClass ? { class: r.errorClass, message: r.errorMessage ?? '' } : null,
      warnings: r.warnings,
    })),
  };
}
