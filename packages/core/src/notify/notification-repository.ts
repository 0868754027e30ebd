import type { PrismaClient } from '../db/index.js';
import type { AccountEventData, WebhookEventType } from '../webhooks/webhook-events.js';
import type { NotifiedEvent } from './digest-mail.js';

/** At most one mail per account in this time. */
export const DIGEST_EVERY_MS = 60 * 60_000;

/**
 * Account health events waiting to be mailed, in PostgreSQL: recorded once per event id, sent
 * as one digest per account at most once an hour. Claiming a digest locks its rows (SKIP
 * LOCKED), so any number of processes send each once.
 */
export class NotificationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Record a run's account events (each once, by its id). */
  async record(events: readonly { type: WebhookEventType; id: string; data: AccountEventData }[], at = new Date()) {
    await this.prisma.accountNotification.createMany({
      data: events.map((e) => ({
        accountId: e.data.accountId,
        eventId: e.id,
        eventType: e.type,
        data: e.data as object,
        at,
      })),
      skipDuplicates: true,
    });
  }

  /** Accounts with events to send and no mail within the last hour, at most `limit`. */
  async dueAccounts(now: Date, limit: number): Promise<number[]> {
    const since = new Date(now.getTime() - DIGEST_EVERY_MS);
    const rows = await this.prisma.$queryRaw<{ account_id: number }[]>`
      SELECT DISTINCT n.account_id FROM account_notification n
      WHERE n.sent_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM account_notification s WHERE s.account_id = n.account_id AND s.sent_at > ${since})
      ORDER BY n.account_id LIMIT ${limit}`;
    return rows.map((r) => r.account_id);
  }

  /**
   * Send one account's digest: its unsent events are locked, given to `send` and marked sent
   * when it resolves (a throw leaves them for the next round). False when another process has
   * them or has mailed within the hour.
   */
  async sendDigest(accountId: number, now: Date, send: (events: NotifiedEvent[]) => Promise<void>): Promise<boolean> {
    const since = new Date(now.getTime() - DIGEST_EVERY_MS);
    return this.prisma.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<{ id: bigint; event_type: string; at: Date; data: AccountEventData }[]>`
          SELECT id, event_type, at, data FROM account_notification
          WHERE account_id = ${accountId} AND sent_at IS NULL
          ORDER BY id FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return false;
        const recent = await tx.accountNotification.count({ where: { accountId, sentAt: { gt: since } } });
        if (recent > 0) return false;
        await send(rows.map((r) => ({ type: r.event_type, at: r.at, data: r.data })));
        await tx.accountNotification.updateMany({
          where: { id: { in: rows.map((r) => r.id) } },
          data: { sentAt: now },
        });
        return true;
      },
      { timeout: 90_000, maxWait: 10_000 },
    );
  }

  /** Forget sent events older than `before`, keeping each account's newest sent one (the hour's clock). */
  async prune(before: Date): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM account_notification n
      WHERE n.sent_at < ${before}
        AND n.id <> (SELECT max(id) FROM account_notification k WHERE k.account_id = n.account_id AND k.sent_at IS NOT NULL)`;
  }
}
