/** A window of batch promises; the first failure is kept and rethrown at the next check. */
export class InFlight {
  private readonly list: Promise<void>[] = [];
  private failure: { error: unknown } | null = null;

  add(work: Promise<void>): void {
    this.list.push(work.catch((error: unknown) => void (this.failure ??= { error })));
  }

  async below(n: number): Promise<void> {
    while (this.list.length >= n) await this.list.shift();
    this.check();
  }

  async drain(): Promise<void> {
    await this.settle();
    this.check();
  }

  /** Wait for everything in flight without throwing (failures are kept for `check`). */
  async settle(): Promise<void> {
    await Promise.all(this.list.splice(0));
  }

  check(): void {
    if (this.failure) throw this.failure.error;
  }
}
