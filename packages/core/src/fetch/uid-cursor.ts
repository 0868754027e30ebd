/**
 * How far a folder is read: the highest UID up to which every listed message is handled (stored
 * and acted on, or left on purpose). Messages are settled in any order; the position only moves
 * over a run of settled ones, so a crash re-reads from the first one still open. Linear in the
 * listing over a whole run.
 */
export class UidCursor {
  private readonly uids: number[];
  private readonly open: Set<number>;
  private next = 0;
  private at: number;

  /** `listed`: the UIDs above `start` a session lists, in ascending order; `start`: the stored position. */
  constructor(listed: readonly number[], start: number) {
    this.uids = [...listed];
    this.open = new Set(listed);
    this.at = start;
  }

  /** Handled: acted on, left on the server on purpose, or gone. */
  settle(uids: Iterable<number>): void {
    for (const uid of uids) this.open.delete(uid);
    while (this.next < this.uids.length && !this.open.has(this.uids[this.next]!)) {
      this.at = Math.max(this.at, this.uids[this.next]!);
      this.next++;
    }
  }

  get position(): number {
    return this.at;
  }
}
