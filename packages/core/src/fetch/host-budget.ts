/**
 * At most `limit` concurrent connections per mail host within this process, so many accounts on
 * one provider do not open dozens of connections at once (MAILDUCT_MAX_CONNECTIONS_PER_HOST).
 * Fetch sessions wait for a slot, first come, first served; push watchers hold theirs for as long
 * as they are connected, take one only when it is free and never the last `FETCH_RESERVE`, so
 * fetch sessions are never shut out by watchers.
 */
/** Slots of each host that push watchers leave to fetch sessions. */
const FETCH_RESERVE = 1;

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

  /**
   * A long-lived slot for a push watcher's connection, or null when taking it would leave fewer
   * than FETCH_RESERVE slots (or fetch sessions are already waiting). The returned release
   * gives it back once, however often it is called.
   */
  tryHold(host: string): (() => void) | null {
    const key = host.toLowerCase();
    if (this.watcherSlotsFree(key) === 0) return null;
    this.active.set(key, (this.active.get(key) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.release(key);
    };
  }

  /** How many slots `tryHold` would give now (a process with none free leaves the account to another). */
  watcherSlotsFree(host: string): number {
    const key = host.toLowerCase();
    if (this.waiting.has(key)) return 0;
    return Math.max(0, this.limit - FETCH_RESERVE - (this.active.get(key) ?? 0));
  }

  /** The most connections one host gets from this process. */
  get perHost(): number {
    return this.limit;
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
