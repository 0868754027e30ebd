import type { MailboxClient, RemoteMessage } from '../mail/index.js';
import type { FetchCounts } from './fetch-session.js';
import type { InFlight } from './in-flight.js';
import { leftByImport, type MailboxProgress, type ProgressContext } from './mailbox-progress.js';
import { isSessionNumber } from './server-identity.js';

/**
 * A POP3 maildrop's memory (pop3_seen_uidl): the UIDLs of messages that stay on the server and are
 * handled (kept after storing, or left out by the initial import), so a run downloads only new
 * ones; forgotten once the server no longer lists them. A message without a UIDL cannot be
 * remembered: it is downloaded again and recognised by its bytes, and the initial import's date
 * decides about it every run.
 */
export class Pop3Progress implements MailboxProgress {
  private seen: Set<string> | null = null;
  private readonly remember: string[] = [];

  constructor(
    private readonly ctx: ProgressContext,
    /** The maildrop's initial import is decided (folder_cursor row ""). */
    private decided: boolean,
    /** Messages stay on the server after storing (afterFetch keep). */
    private readonly keep: boolean,
  ) {}

  listOptions() {
    return {};
  }

  async select(client: MailboxClient, listing: RemoteMessage[], counts: FetchCounts): Promise<RemoteMessage[]> {
    const { accountId, cursors, cutoff } = this.ctx;
    if (!this.seen) {
      this.seen = await cursors.seenUidls(accountId);
      const listed = listing.flatMap((m) => (isSessionNumber(m.id) ? [] : [m.id]));
      if (this.seen.size > 0) await cursors.forgetUidlsExcept(accountId, listed);
    }
    const seen = this.seen;
    let fresh = listing.filter((m) => !seen.has(m.id));
    if (cutoff) {
      const undecided = this.decided ? fresh.filter((m) => isSessionNumber(m.id)) : fresh;
      const left = await leftByImport(client, undecided, cutoff, counts);
      const uidls = left.flatMap((m) => (isSessionNumber(m.id) ? [] : [m.id]));
      await cursors.rememberUidls(accountId, uidls);
      for (const u of uidls) seen.add(u);
      const ids = new Set(left.map((m) => m.id));
      fresh = fresh.filter((m) => !ids.has(m.id));
    }
    if (!this.decided) {
      await cursors.begin(accountId, '', { uidValidity: null, lastUid: 0, importUntilUid: 0 });
      this.decided = true;
    }
    return fresh;
  }

  settle(messages: readonly RemoteMessage[]): void {
    if (!this.keep) return;
    for (const m of messages)
      if (!isSessionNumber(m.id) && !this.seen?.has(m.id)) {
        this.seen?.add(m.id);
        this.remember.push(m.id);
      }
  }

  flush(bookkeeping: InFlight): void {
    if (this.remember.length === 0) return;
    bookkeeping.add(this.ctx.cursors.rememberUidls(this.ctx.accountId, this.remember.splice(0)));
  }
}
