import { filterKey, matchEntries, type DirectoryEntry } from './account-search.js';

const MAX_CACHED_FILTERS = 500;

/** Where the directory gets its data: the entries in list order, and a change counter. */
export interface DirectorySource {
  loadEntries(): Promise<DirectoryEntry[]>;
  /** A value that changes whenever a filterable field of any account changes; null if unknown. */
  currentVersion(): Promise<string | null>;
}

export interface DirectoryOptions {
  /** Reload at least this often, even without a version change (heals missed bumps). */
  maxAgeMs: number;
  /** Give up on the version lookup after this long and let the caller use SQL. */
  versionTimeoutMs: number;
}

/**
 * An in-memory index of the filterable account fields (host, user name, type, comment,
 * validity), so the admin list is filtered without scanning PostgreSQL on every request.
 * Each search first reads the change counter (one Redis GET): after any account write, the
 * next search reloads, so a list never misses a committed change. When the counter cannot be
 * read, `search` returns null and the caller falls back to SQL. Entries past `maxAgeMs` with an
 * unchanged counter are refreshed in the background while searches go on answering from them.
 */
export class AccountDirectory {
  private entries: DirectoryEntry[] | null = null;
  private version: string | null = null;
  private loadedAt = 0;
  private loading: { version: string; promise: Promise<void> } | null = null;
  // Match lists per filter for the loaded entries: admins page through the same few filters.
  private matches = new Map<string, number[]>();

  constructor(
    private readonly source: DirectorySource,
    private readonly options: DirectoryOptions = { maxAgeMs: 60_000, versionTimeoutMs: 250 },
  ) {}

  /** The ids of the requested page and the total, or null when the directory cannot answer. */
  async search(filter: {
    q?: string;
    includeInvalid?: boolean;
    limit: number;
    offset: number;
  }): Promise<{ ids: number[]; total: number } | null> {
    const version = await this.readVersion();
    if (version === null) return null;
    if (this.entries === null || this.version !== version) await this.reload(version);
    // Only old, not changed: answer from what is loaded and refresh behind it (at 100,000 accounts
    // a reload takes about half a second, which every 60 s one list used to wait for).
    else if (Date.now() - this.loadedAt > this.options.maxAgeMs) void this.reload(version);
    if (!this.entries) return null;
    const key = filterKey(filter);
    let ids = this.matches.get(key);
    if (!ids) {
      ids = matchEntries(this.entries, filter);
      if (this.matches.size >= MAX_CACHED_FILTERS) this.matches.clear();
      this.matches.set(key, ids);
    }
    return { ids: ids.slice(filter.offset, filter.offset + filter.limit), total: ids.length };
  }

  /** Forget the loaded entries (the next search reloads). */
  invalidate(): void {
    this.entries = null;
    this.matches = new Map();
  }

  private async reload(version: string): Promise<void> {
    if (this.loading?.version !== version) {
      const promise = this.source.loadEntries().then(
        (entries) => {
          this.entries = entries;
          this.matches = new Map();
          this.version = version;
          this.loadedAt = Date.now();
        },
        () => {
          // A failed refresh of the same version keeps the entries, which are still right.
          if (this.version !== version) this.entries = null;
        },
      );
      this.loading = { version, promise: promise.finally(() => (this.loading = null)) };
    }
    await this.loading.promise;
  }

  private async readVersion(): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.source.currentVersion(),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), this.options.versionTimeoutMs);
        }),
      ]);
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
