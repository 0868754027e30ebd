import type { Queue } from 'bullmq';
import { MailductError } from '../errors/index.js';
import type { FetchJobData } from './fetch-job.js';
import { JOBS, schedulerId } from './job-catalogue.js';

/** A fetch job as the API shows it. */
export interface FetchJobView {
  id: string;
  accountId: number;
  trigger: string;
  state: string;
  createdAt: string;
  finishedAt: string | null;
  /** The run result (counts, error) once the job finished. */
  result: unknown;
  failedReason: string | null;
}

/**
 * Fetch-now (OTOBO's "Fetch mail"): add a manual job for the account. While one is still
 * waiting or running, asking again returns that job instead of queueing another.
 */
export async function enqueueFetchNow(queue: Queue, accountId: number, limit?: number): Promise<string> {
  const data: FetchJobData = { accountId, trigger: 'manual', ...(limit ? { limit } : {}) };
  const job = await queue.add(JOBS.fetchAccount.name, data, {
    jobId: `manual-${accountId}-${Date.now()}`,
    deduplication: { id: `manual-${accountId}` },
    attempts: JOBS.fetchAccount.attempts,
    ...JOBS.fetchAccount.manual,
  });
  return job.id!;
}

/**
 * A fetch because the server announced new mail (IMAP IDLE). Coalesced: while one is waiting,
 * asking again adds nothing; while one runs, one more is kept to run after it (it may have listed
 * before the new mail arrived), so a burst of 50 mails is one or two runs, never a lost one.
 */
export async function enqueuePushFetch(
  queue: Queue,
  accountId: number,
  delayMs = 0,
  notifiedAt = Date.now(),
): Promise<void> {
  const data: FetchJobData = { accountId, trigger: 'push', notifiedAt };
  await queue.add(JOBS.fetchAccount.name, data, {
    deduplication: { id: `push-${accountId}`, keepLastIfActive: true },
    attempts: JOBS.fetchAccount.attempts,
    ...(delayMs > 0 ? { delay: delayMs } : {}),
    removeOnComplete: JOBS.fetchAccount.removeOnComplete,
    removeOnFail: JOBS.fetchAccount.removeOnFail,
  });
}

/** The state of a fetch job. Throws NOT_FOUND. */
export async function fetchJobView(queue: Queue, id: string): Promise<FetchJobView> {
  // The state first, then the job: a job that completed in between would otherwise be read without
  // its result and then reported completed (states only move forward, so this order is consistent).
  const state = await queue.getJobState(id);
  const job = state === 'unknown' ? undefined : await queue.getJob(id);
  if (!job) throw new MailductError('NOT_FOUND', `fetch job ${id} does not exist (finished jobs are kept for a day)`);
  const data = job.data as FetchJobData;
  const result =
    state === 'completed'
      ? job.returnvalue
      : state === 'failed' && typeof job.progress === 'object'
        ? job.progress
        : null;
  return {
    id,
    accountId: data.accountId,
    trigger: data.trigger,
    state,
    createdAt: new Date(job.timestamp).toISOString(),
    finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    result: result ?? null,
    failedReason: job.failedReason ?? null,
  };
}

/** When the account's scheduled fetch is due next, or null when it has no schedule. */
export async function nextScheduledRun(queue: Queue, accountId: number): Promise<string | null> {
  const s = await queue.getJobScheduler(schedulerId(accountId));
  return s?.next ? new Date(s.next).toISOString() : null;
}
