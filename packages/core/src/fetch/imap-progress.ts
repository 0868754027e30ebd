import type { MailboxClient, RemoteMessage } from '../mail/index.js';
import type { StoredCursor } from './cursor-repository.js';
import type { FetchCounts } from './fetch-session.js';
import type { InFlight } from './in-flight.js';
import { leftByImport, type MailboxProgress, type ProgressContext } from './mailbox-progress.js';
import { warn } from './run-warnings.js';
import { UidCursor } from './uid-cursor.js';

/**
 * An IMAP folder's cursor (folder_cursor): a run lists only UIDs above it, so a folder of 100,000
 * kept messages costs a run what its new mail costs. A changed UIDVALIDITY (RFC 3501 §2.3.1.1:
 * the folder's UIDs mean other messages now) starts the folder again from its start; the store
 * recognises what it holds already by folder, bytes and INTERNALDATE, so no ticket is made twice.
 */
export class ImapProgress implements MailboxProgress {
  private cursor: UidCursor | null = null;
  private written = 0;

  constructor(
    private readonly ctx: ProgressContext,
    private readonly folder: string,
    private stored: StoredCursor | undefined,
  ) {}

  listOptions() {
    const s = this.stored;
    return s && s.uidValidity !== null ? { after: { uidValidity: s.uidValidity, uid: s.lastUid } } : {};
  }

  async select(client: MailboxClient, listing: RemoteMessage[], counts: FetchCounts): Promise<RemoteMessage[]> {
    const { uidValidity } = client.identity();
    let state = this.stored;
    if (!state || state.uidValidity !== uidValidity) {
      if (state)
        warn(
          counts,
          `the UIDVALIDITY of folder "${this.folder}" changed from ${state.uidValidity} to ${uidValidity}: the folder was read again from its start, and messages stored before were recognised by their content and INTERNALDATE`,
        );
      // Messages there now were there before the account read the folder: the initial import chooses among them.
      const importUntilUid = this.ctx.cutoff ? listing.reduce((n, m) => Math.max(n, Number(m.id)), 0) : 0;
      state = { uidValidity, lastUid: 0, importUntilUid };
      await this.ctx.cursors.begin(this.ctx.accountId, this.folder, state);
      this.stored = state;
    }
    this.written = state.lastUid;
    this.cursor = new UidCursor(
      listing.map((m) => Number(m.id)),
      state.lastUid,
    );
    const until = state.importUntilUid;
    const candidates = this.ctx.cutoff ? listing.filter((m) => Number(m.id) <= until) : [];
    const left = this.ctx.cutoff ? await leftByImport(client, candidates, this.ctx.cutoff, counts) : [];
    if (left.length === 0) return listing;
    this.settle(left);
    const ids = new Set(left.map((m) => m.id));
    return listing.filter((m) => !ids.has(m.id));
  }

  settle(messages: readonly RemoteMessage[]): void {
    this.cursor?.settle(messages.map((m) => Number(m.id)));
  }

  flush(bookkeeping: InFlight): void {
    const position = this.cursor?.position ?? 0;
    if (position <= this.written || !this.stored) return;
    this.written = position;
    bookkeeping.add(this.ctx.cursors.advance(this.ctx.accountId, this.folder, this.stored.uidValidity, position));
  }
}
