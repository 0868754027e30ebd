/**
 * How many IMAP sessions one mailbox may have open at once. Providers refuse logins beyond it
 * (Gmail: 15 per account; Microsoft 365: 20 per mailbox; Dovecot's default
 * mail_max_userip_connections: 10 per user and address), and the desk's own clients (Outlook,
 * phones) use some of them too.
 */
const PROVIDER_SESSIONS: readonly (readonly [suffix: string, sessions: number])[] = [
  ['gmail.com', 15],
  ['googlemail.com', 15],
  ['office365.com', 20],
  ['outlook.com', 20],
];

/** Unknown servers: Dovecot's default. */
export const DEFAULT_SESSIONS_PER_MAILBOX = 10;

/** The session limit for a mailbox on `host`: the operator's setting, else the provider's known limit. */
export function sessionsPerMailbox(host: string, configured?: number): number {
  if (configured !== undefined) return configured;
  const h = host.toLowerCase().replace(/\.$/, '');
  const known = PROVIDER_SESSIONS.find(([suffix]) => h === suffix || h.endsWith(`.${suffix}`));
  return known?.[1] ?? DEFAULT_SESSIONS_PER_MAILBOX;
}

/** The folders a watcher holds IDLE on and the ones left to polling. */
export interface WatchPlan {
  watched: string[];
  polled: string[];
}

/**
 * A watcher holds one session per folder; the account's fetch opens one more. So at most
 * `sessions - 1` folders are watched, in the account's order (the first is the main one), and the
 * rest are polled: mailduct never opens the session that would pass the mailbox's limit.
 */
export function planWatch(folders: readonly string[], sessions: number): WatchPlan {
  const room = Math.max(0, sessions - 1);
  return { watched: folders.slice(0, room), polled: folders.slice(room) };
}
