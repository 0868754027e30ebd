import type { WatchPlan } from './mailbox-sessions.js';

/** watching: IDLE is held; connecting: (re)connecting after a failure; unsupported: the server has no IDLE, polling only; waiting: no connection slot free for the host, polling until one is. */
export type WatchState = 'connecting' | 'watching' | 'unsupported' | 'waiting';

export const WATCH_STATES: readonly WatchState[] = ['watching', 'connecting', 'waiting', 'unsupported'];

/** One folder's watch. */
export interface FolderState {
  state: WatchState;
  reason: string | null;
}

/**
 * An account's watch state from its folders': watching only when every watched folder is; else
 * the first folder that is not, named when the account has several. Folders left to polling by
 * the session limit are said in the reason.
 */
export function combinedState(folders: ReadonlyMap<string, FolderState>, plan: WatchPlan, host: string): FolderState {
  const many = folders.size > 1;
  for (const [folder, f] of folders)
    if (f.state !== 'watching')
      return { state: f.state, reason: many && f.reason ? `${folder}: ${f.reason}` : f.reason };
  if (plan.watched.length === 0)
    return { state: 'unsupported', reason: `${host} allows too few sessions per mailbox to watch: polled only` };
  if (plan.polled.length === 0) return { state: 'watching', reason: null };
  const total = plan.watched.length + plan.polled.length;
  return {
    state: 'watching',
    reason:
      `${plan.watched.length} of ${total} folders watched; ${plan.polled.join(', ')} polled: ` +
      `the mailbox allows ${plan.watched.length + 1} sessions (MAILDUCT_SESSIONS_PER_MAILBOX), one is kept for fetching`,
  };
}
