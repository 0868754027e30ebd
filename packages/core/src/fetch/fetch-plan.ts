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
export function planFetch(
  list: readonly RemoteMessage[],
  o: { maxBytes: number; limit: number; done: ReadonlySet<string> },
): FetchPlan {
  const fetch: RemoteMessage[] = [];
  const oversized: RemoteMessage[] = [];
  for (const m of list) {
    if (m.size > o.maxBytes) oversized.push(m);
    else if (!o.done.has(m.id) && fetch.length < o.limit) fetch.push(m);
  }
  return { fetch, oversized };
}

/** The bytes the server listed for these messages. */
export function listedBytes(messages: readonly RemoteMessage[]): number {
  return messages.reduce((n, m) => n + m.size, 0);
}

/** Batch limits: small messages travel together, large ones in their own, smaller batches. */
export interface BatchLimits {
  maxCount: number;
  maxBytes: number;
  /** Messages at least this large go in the large lane (docs/ARCHITECTURE.md, "The hot path"), never mixed with small ones. */
  largeBytes: number;
  largeMaxCount: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = {
  maxCount: 100,
  maxBytes: 8 * 1024 * 1024,
  largeBytes: 1024 * 1024,
  largeMaxCount: 8,
};

/**
 * Split messages into batches in server order: runs of small messages (up to maxCount and
 * maxBytes) and runs of large ones (up to largeMaxCount and maxBytes; a message above maxBytes
 * alone), so one big mail never holds up 49 small ones in the same database round trip.
 */
export function batchesOf(
  messages: readonly RemoteMessage[],
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): RemoteMessage[][] {
  const batches: RemoteMessage[][] = [];
  let current: RemoteMessage[] = [];
  let bytes = 0;
  let largeLane = false;
  for (const m of messages) {
    const large = m.size >= limits.largeBytes;
    const full =
      current.length >= (largeLane ? limits.largeMaxCount : limits.maxCount) || bytes + m.size > limits.maxBytes;
    if (current.length > 0 && (large !== largeLane || full)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    largeLane = large;
    current.push(m);
    bytes += m.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
