import type { Logger } from '../log/index.js';
import { digestMail } from './digest-mail.js';
import type { NotificationRepository } from './notification-repository.js';
import type { Mailer } from './smtp-mailer.js';

/** Accounts one round mails at most. */
const ACCOUNTS_PER_ROUND = 100;
const KEEP_SENT_MS = 7 * 86_400_000;

/**
 * One round of the notifications: a digest mail for every account with events waiting and no
 * mail within the hour. A mail that cannot be sent leaves its events for the next round (logged);
 * the rest of the round goes on. How many mails were sent.
 */
export async function sendDigests(
  deps: { repository: NotificationRepository; mailer: Mailer; logger: Logger; publicUrl?: string },
  now = new Date(),
): Promise<number> {
  let sent = 0;
  for (const accountId of await deps.repository.dueAccounts(now, ACCOUNTS_PER_ROUND)) {
    try {
      const mailed = await deps.repository.sendDigest(accountId, now, (events) =>
        deps.mailer.send(digestMail(events, deps.publicUrl)),
      );
      if (mailed) sent++;
    } catch (err) {
      deps.logger.warn({ accountId, err: (err as Error).message }, 'account notification not sent; retried next round');
    }
  }
  await deps.repository.prune(new Date(now.getTime() - KEEP_SENT_MS));
  return sent;
}
