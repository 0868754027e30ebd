import { UnrecoverableError, type Job } from 'bullmq';
import { shouldRun, type FetchOutcome, type FetchService, type HostBudget } from '@mailduct/core/fetch';
import type { PrismaClient } from '@mailduct/core/db';
import { isMailductError } from '@mailduct/core/errors';
import { JOBS, type FetchJobData } from '@mailduct/core/jobs';

export interface ProcessDeps {
  prisma: PrismaClient;
  service: FetchService;
  budget: HostBudget;
  /** Stop between batches (shutdown). */
  stop: AbortSignal;
  /** Drop connections at once (end of the shutdown grace period). */
  interrupt: AbortSignal;
  /** Ask again for a pushed run that found its account locked. */
  requeuePush?: (accountId: number) => Promise<void>;
}

/** A run that did not happen, with the reason (invalid account, backoff, lock held elsewhere). */
export interface SkippedRun {
  accountId: number;
  outcome: 'skipped';
  skippedReason: string;
}

/**
 * The fetch job processor: whether a job runs is `shouldRun`'s decision (scheduled jobs of accounts
 * no longer valid or backing off are skipped; fetch-now jobs always run). A failed run fails the job (UnrecoverableError: the
 * schedule repeats anyway) with the outcome kept as the job's progress.
 */
export const processFetchJob =
  (deps: ProcessDeps) =>
  async (job: Job<FetchJobData>): Promise<FetchOutcome | SkippedRun> => {
    const data = jobData(job);
    const { accountId, trigger } = data;
    const account = await deps.prisma.mailAccount.findUnique({
      where: { id: accountId },
      select: { id: true, host: true, validity: true, backoffUntil: true },
    });
    const decision = shouldRun(account, accountId, trigger, new Date());
    if (!decision.run) return { accountId, outcome: 'skipped', skippedReason: decision.reason };
    // shouldRun never runs a deleted account: `account` is there
    const outcome = await deps.budget.run(account!.host, () =>
      deps.service.fetchAccount(data, { signal: deps.stop, interrupt: deps.interrupt }),
    );
    if (outcome.outcome === 'skipped' && trigger === 'push') await deps.requeuePush?.(accountId);
    if (outcome.outcome === 'failed') {
      await job.updateProgress(outcome as unknown as object);
      throw new UnrecoverableError(`${outcome.error!.class}: ${outcome.error!.message}`);
    }
    return outcome;
  };

/** The job's data checked against the catalogue; a job with other data fails without retries. */
function jobData(job: Job<FetchJobData>): FetchJobData {
  try {
    return JOBS.fetchAccount.parse(job.data);
  } catch (err) {
    throw isMailductError(err) ? new UnrecoverableError(err.message) : err;
  }
}
