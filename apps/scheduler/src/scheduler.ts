import type { PrismaClient } from '@mailduct/core/db';
import type { Logger } from '@mailduct/core/log';
import { planReconcile, specFor, type SchedulableAccount } from '@mailduct/core/schedule';
import type { SchedulerStore } from './scheduler-store.js';

/** The outcome of one reconcile. */
export interface ReconcileResult {
  accounts: number;
  upserted: number;
  removed: number;
  unchanged: number;
  ms: number;
}

const PARALLEL = 50;

/**
 * Keeps exactly one job scheduler per valid account. `reconcile` compares every account with
 * every scheduler and fixes the difference; `syncAccount` does the same for one account at once
 * (after an account-change event). Both are idempotent, so several schedulers may run.
 */
export class AccountScheduler {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly store: SchedulerStore,
    private readonly logger: Logger,
  ) {}

  async reconcile(): Promise<ReconcileResult> {
    const started = Date.now();
    const [accounts, existing] = await Promise.all([this.accounts(), this.store.existing()]);
    const plan = planReconcile(accounts, existing);
    await inParallel(plan.upsert, (spec) => this.store.upsert(spec));
    await inParallel(plan.remove, (id) => this.store.remove(id));
    const result = {
      accounts: accounts.length,
      upserted: plan.upsert.length,
      removed: plan.remove.length,
      unchanged: plan.unchanged,
      ms: Date.now() - started,
    };
    if (result.upserted + result.removed > 0) this.logger.info(result, 'schedulers reconciled');
    return result;
  }

  async syncAccount(accountId: number): Promise<void> {
    const row = await this.prisma.mailAccount.findUnique({
      where: { id: accountId },
      select: { id: true, validity: true, pollIntervalSeconds: true },
    });
    const spec = row
      ? specFor({ id: row.id, valid: row.validity === 'valid', pollIntervalSeconds: row.pollIntervalSeconds })
      : null;
    if (spec) await this.store.upsert(spec);
    else await this.store.remove(`account:${accountId}`);
  }

  private async accounts(): Promise<SchedulableAccount[]> {
    const out: SchedulableAccount[] = [];
    let cursor = 0;
    for (;;) {
      const rows = await this.prisma.mailAccount.findMany({
        where: { id: { gt: cursor } },
        orderBy: { id: 'asc' },
        take: 10_000,
        select: { id: true, validity: true, pollIntervalSeconds: true },
      });
      for (const r of rows)
        out.push({ id: r.id, valid: r.validity === 'valid', pollIntervalSeconds: r.pollIntervalSeconds });
      if (rows.length < 10_000) return out;
      cursor = rows[rows.length - 1]!.id;
    }
  }
}

async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) await Promise.all(items.slice(i, i + PARALLEL).map(fn));
}
