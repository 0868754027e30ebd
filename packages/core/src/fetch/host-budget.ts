/**
 * At most `limit` concurrent holders per mail host within this process, so many accounts on one
 * provider do not open dozens of connections at once (MAILDUCT_MAX_CONNECTIONS_PER_HOST).
 * Waiters are served first come, first served.
 */
export class HostBudget {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly limit: number) {}

  /** Run `fn` once a slot for `host` is free. */
  async run<T>(host: string, fn: () => Promise<T>): Promise<T> {
    const key = host.toLowerCase();
    await this.acquire(key);
    try {
      return await fn();
    } finally {
      this.release(key);
    }
  }

  /** Current holders per host (for tests and metrics). */
  inUse(host: string): number {
    return this.active.get(host.toLowerCase()) ?? 0;
  }

  private acquire(key: string): Promise<void> {
    const n = this.active.get(key) ?? 0;
    if (n < this.limit) {
      this.active.set(key, n + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.waiting.get(key) ?? [];
      queue.push(resolve);
      this.waiting.set(key, queue);
    });
  }

  private release(key: string): void {
    const next = this.waiting.get(key)?.shift();
    if (next) return next(); // the slot passes straight to the next waiter
    const n = (this.active.get(key) ?? 1) - 1;
    if (n <= 0) this.active.delete(key);
    else this.active.set(key, n);
    if (this.waiting.get(key)?.length === 0) this.waiting.delete(key);
  }
}
