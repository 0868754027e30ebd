import type { Queue } from 'bullmq';
import { webhookJob, webhookJobId } from '../jobs/job-catalogue.js';
import type { DeliveryRepository } from './delivery-repository.js';

/** What one sweep did. */
export interface DeliverySweep {
  /** Deliveries whose job was missing or had failed, given a job again. */
  requeued: number;
  /** Ended deliveries past the log's retention, removed with their attempts. */
  removed: number;
}

/**
 * PostgreSQL is the source of truth for deliveries, the queue only says when to try: a delivery
 * still pending or retrying `graceMs` after it was due whose job is gone (the process died
 * between writing the row and adding the job, or Redis lost it) or failed (PostgreSQL was down
 * during the attempt) gets its job again, under the same job id, so a job that is merely
 * waiting or running is left alone. Ended deliveries older than `keepDays` are removed.
 */
export async function sweepDeliveries(
  deps: { repository: DeliveryRepository; queue: Queue },
  o: { graceMs: number; keepDays: number; batch?: number; now?: Date },
): Promise<DeliverySweep> {
  const now = o.now ?? new Date();
  const stranded = await deps.repository.stranded(new Date(now.getTime() - o.graceMs), o.batch ?? 500);
  let requeued = 0;
  for (const d of stranded) {
    const job = await deps.queue.getJob(webhookJobId(d.id, d.attempts + 1));
    if (job && (await job.isFailed())) await job.retry('failed');
    else if (job) continue;
    else {
      const next = webhookJob(d.id, d.attempts + 1);
      await deps.queue.add(next.name, next.data, next.opts);
    }
    requeued += 1;
  }
  const removed = await deps.repository.removeEnded(new Date(now.getTime() - o.keepDays * 86_400_000));
  return { requeued, removed };
}
