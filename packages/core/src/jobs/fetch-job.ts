/** Why a fetch runs. */
export type FetchTrigger = 'schedule' | 'manual' | 'cli' | 'push';

/** The payload of a fetch job: ids only, never credentials. */
export interface FetchJobData {
  accountId: number;
  trigger: FetchTrigger;
  /** Messages per run; default MAILDUCT_FETCH_LIMIT (OTOBO's admin "Fetch mail" used 15). */
  limit?: number;
  /** A pushed run: when the watcher saw the new mail (ms since the epoch), for mailduct_push_latency_seconds. */
  notifiedAt?: number;
}
