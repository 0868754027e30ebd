import { UnrecoverableError, type Job } from 'bullmq';
import type { FetchOutcome, FetchService, HostBudget } from '@mailduct/core/fetch';
import type { PrismaClient } from '@mailduct/core/db';
import type { FetchJobData } from '@mailduct/core/jobs';

export interface ProcessDeps {
  prisma: PrismaClient;
  service: FetchService;
  budget: HostBudget;
  /** Stop between batches (shutdown). */
  stop: AbortSignal;
  /** Drop connections at once (end of the shutdown grace period). */
  interrupt: AbortSignal;
}

/** A run that did not happen, with the reason (invalid account, backoff, lock held elsewhere). */
export interface SkippedRun {
  accountId: number;
  outcome: 'skipped';
  skippedReason: string;
}

/**
 * The fetch job processor: scheduled jobs of accounts that are no longer valid or are backing off
 * are skipped; fetch-now jobs always run. A failed run fails the job (UnrecoverableError: the
 * schedule repeats anyway) with the outcome kept as the job's progress.
 */
export const processFetchJob =
  (deps: ProcessDeps) =>
  async (job: Job<FetchJobData>): Promise<FetchOutcome | SkippedRun> => {
    const { accountId, trigger } = job.data;
    const account = await deps.prisma.mailAccount.findUnique({ where: { id: accountId }, select: { host: true, validity: true, backoffUntil: true } });
    if (!account) return { accountId, outcome: 'skipped', skippedReason: `mail account ${accountId} no longer exists` };
    if (trigger === 'schedule') {
      if (account.validity !== 'valid') return { accountId, outcome: 'skipped', skippedReason: `mail account ${accountId} is ${account.validity.replace('_', '-')}` };
      if (account.backoffUntil && account.backoffUntil > new Date()) return { accountId, outcome: 'skipped', skippedReason: `backing off until ${account.backoffUntil.toISOString()}` };
    }
    const outcome = await deps.budget.run(account.host, () => deps.service.fetchAccount(job.data, { signal: deps.stop, interrupt: deps.interrupt }));
    if (outcome.outcome === 'failed') {
      await job.updateProgress(outcome as unknown as object);
      throw new UnrecoverableError(`${outcome.error!.class}: ${outcome.error!.message}`);
    }
    return outcome;
  };
