import type { Queue } from 'bullmq';
import { JOBS } from '@mailduct/core/jobs';
import type { ExistingScheduler, SchedulerSpec } from '@mailduct/core/schedule';

/** Job options of scheduled fetch jobs: one attempt (the schedule repeats), bounded history. */
const SCHEDULED_JOB_OPTS = {
  attempts: JOBS.fetchAccount.attempts,
  removeOnComplete: JOBS.fetchAccount.removeOnComplete,
  removeOnFail: JOBS.fetchAccount.removeOnFail,
};

/** The job schedulers of the `fetch` queue: read them all, create or change one, remove one. */
export class SchedulerStore {
  constructor(private readonly queue: Queue) {}

  async existing(): Promise<ExistingScheduler[]> {
    const out: ExistingScheduler[] = [];
    const page = 1000;
    for (let start = 0; ; start += page) {
      const batch = await this.queue.getJobSchedulers(start, start + page - 1, true);
      for (const s of batch)
        out.push({
          id: s.key,
          every: s.every ? Number(s.every) : null,
          offset: s.offset === undefined || s.offset === null ? null : Number(s.offset),
        });
      if (batch.length < page) break;
    }
    return out;
  }

  async upsert(spec: SchedulerSpec): Promise<void> {
    await this.queue.upsertJobScheduler(
      spec.id,
      { every: spec.every, offset: spec.offset },
      { name: JOBS.fetchAccount.name, data: spec.data, opts: SCHEDULED_JOB_OPTS },
    );
  }

  async remove(id: string): Promise<void> {
    await this.queue.removeJobScheduler(id);
  }

  /** When an account's next scheduled run is due, if it has a scheduler. */
  async nextRun(id: string): Promise<Date | null> {
    const s = await this.queue.getJobScheduler(id);
    return s?.next ? new Date(s.next) : null;
  }
}
