/**
 * The bytes of mail one fetcher process may hold at once, shared by all its runs: a batch takes
 * its listed bytes before it is downloaded and gives them back once it is stored. Waiters are
 * served in order, so a large batch is not starved by small ones; a batch larger than the whole
 * budget waits until it is alone. Holders never wait for the budget to give back, so it cannot
 * deadlock: what is held is released when its batch has been stored or dropped.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiting: { bytes: number; grant: () => void }[] = [];

  constructor(readonly total: number) {}

  /** Bytes held now. */
  get held(): number {
    return this.used;
  }

  /** Hold `bytes` now if nobody waits and they fit; null otherwise. */
  tryTake(bytes: number): (() => void) | null {
    const n = this.bounded(bytes);
    if (this.waiting.length > 0 || this.used + n > this.total) return null;
    this.used += n;
    return this.releaser(n);
  }

  /** Wait for `bytes` and hold them; call the returned function (once, extra calls are ignored) to give them back. */
  async take(bytes: number): Promise<() => void> {
    const now = this.tryTake(bytes);
    if (now) return now;
    const n = this.bounded(bytes);
    await new Promise<void>((grant) => this.waiting.push({ bytes: n, grant }));
    return this.releaser(n);
  }

  /** A batch larger than the whole budget takes all of it. */
  private bounded(bytes: number): number {
    return Math.min(Math.max(0, bytes), this.total);
  }

  private releaser(n: number): () => void {
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.used -= n;
      this.serve();
    };
  }

  private serve(): void {
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.bytes <= this.total) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.grant();
    }
  }
}
