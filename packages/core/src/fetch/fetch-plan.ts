import type { RemoteMessage } from '../mail/index.js';

/** What one session will do with the listed messages. */
export interface FetchPlan {
  /** To download, in server order, at most `limit`. */
  fetch: RemoteMessage[];
  /** Larger than the size limit: left on the server and reported (OTOBO PostMasterMaxEmailSize). */
  oversized: RemoteMessage[];
}

/**
 * Decide what to download: every listed message in server order that is not above `maxBytes`
 * and not already handled in this run (`done`), up to `limit`.
 */
export function planFetch(list: readonly RemoteMessage[], o: { maxBytes: number; limit: number; done: ReadonlySet<string> }): FetchPlan {
  const fetch: RemoteMessage[] = [];
  const oversized: RemoteMessage[] = [];
  for (const m of list) {
    if (m.size > o.maxBytes) oversized.push(m);
    else if (!o.done.has(m.id) && fetch.length < o.limit) fetch.push(m);
  }
  return { fetch, oversized };
}

/** Batch limits: small messages travel together; a large one gets a batch of its own. */
export interface BatchLimits {
  maxCount: number;
  maxBytes: number;
  /** Messages at least this large are fetched and stored alone (DESIGN.md: their own lane). */
  largeBytes: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxCount: 50, maxBytes: 8 * 1024 * 1024, largeBytes: 1024 * 1024 };

/** Split messages into batches, keeping server order. */
export function batchesOf(messages: readonly RemoteMessage[], limits: BatchLimits = DEFAULT_BATCH_LIMITS): RemoteMessage[][] {
  const batches: RemoteMessage[][] = [];
  let current: RemoteMessage[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length > 0) batches.push(current);
    current = [];
    bytes = 0;
  };
  for (const m of messages) {
    if (m.size >= limits.largeBytes) {
      flush();
      batches.push([m]);
      continue;
    }
    if (current.length >= limits.maxCount || bytes + m.size > limits.maxBytes) flush();
    current.push(m);
    bytes += m.size;
  }
  flush();
  return batches;
}
