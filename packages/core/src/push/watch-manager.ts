import type { MailAccountRow, PrismaClient } from '../db/index.js';
import type { HostBudget } from '../fetch/host-budget.js';
import type { Logger } from '../log/index.js';
import type { AccountWatcher } from './account-watcher.js';
import type { WatchInfo, WatchLeases } from './watch-leases.js';

export interface WatchManagerDeps {
  prisma: PrismaClient;
  leases: WatchLeases;
  /** Watchers this process holds at most (MAILDUCT_WATCHERS_PER_PROCESS). */
  maxWatchers: number;
  /** How often the accounts are looked at and the leases renewed. */
  intervalMs: number;
  watcherFor(row: MailAccountRow): AccountWatcher;
  /** The process's connections per host: an account whose host has no slot left is left to a process with one. */
  budget?: HostBudget;
  logger: Logger;
}

/** A watch this process holds. */
interface Held {
  watcher: AccountWatcher;
  since: string;
  /** The account's connection settings when the watch began: a change starts it again. */
  settings: string;
  renewedAt: number;
  /** The watcher's state version the lease holds: a change is written at the next round. */
  written: number;
}

/** Accounts taken per round: processes starting together take turns instead of one taking all. */
const TAKE_PER_ROUND = 50;
/** Lease renewals sent in one pipeline. */
const RENEW_AT_ONCE = 100;

/**
 * The IMAP IDLE watchers of one fetcher process. Every `intervalMs` it reads the valid IMAP
 * accounts with push, stops the watches of accounts that no longer want one (or whose settings
 * changed), renews its leases (a watch whose lease is lost, or could not be renewed within the
 * lease's lifetime, stops: another process has it), and takes free accounts while it has room.
 * Every push account is watched by one process of the cluster; a dead process's accounts are
 * taken over once their leases expire.
 */
export class WatchManager {
  private readonly held = new Map<number, Held>();
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: WatchManagerDeps) {}

  start(): void {
    const tick = () => {
      this.round = this.tick()
        .catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'push watchers: a round failed'))
        .finally(() => {
          if (!this.closed) this.timer = setTimeout(tick, this.deps.intervalMs);
        });
    };
    tick();
  }

  /** Accounts watched by this process. */
  get watching(): number[] {
    return [...this.held.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
    await Promise.all([...this.held.keys()].map((id) => this.drop(id, true)));
  }

  private async tick(): Promise<void> {
    const wanted = new Map((await pushAccounts(this.deps.prisma)).map((a) => [a.id, a]));
    for (const [id, h] of this.held) if (wanted.get(id)?.settings !== h.settings) await this.drop(id, true);
    await this.renew();
    const room = Math.min(TAKE_PER_ROUND, this.deps.maxWatchers - this.held.size);
    if (this.closed || room <= 0) return;
    const free = shuffled([...wanted.values()]).filter((a) => !this.held.has(a.id) && this.slotFor(a.host));
    // Leave out the accounts other processes watch (one read of their leases).
    const leases = free.length ? await this.deps.leases.readMany(free.map((a) => a.id)) : [];
    const candidates = free.filter((_, i) => leases[i] === null).slice(0, room);
    if (candidates.length === 0) return;
    const rows = await this.deps.prisma.mailAccount.findMany({ where: { id: { in: candidates.map((a) => a.id) } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    let taken = 0;
    const promised = new Map<string, number>();
    for (const a of candidates) {
      const row = byId.get(a.id);
      if (this.closed || taken >= room) break;
      // Watches taken in this round have not connected yet: count their slots as given.
      const host = a.host.toLowerCase();
      if (!this.slotFor(host, promised.get(host) ?? 0) || !row || !(await this.take(row, a.settings))) continue;
      promised.set(host, (promised.get(host) ?? 0) + 1);
      taken++;
    }
  }

  /** Whether a connection slot of `host` is left for one more watch, beside `promised` ones. */
  private slotFor(host: string, promised = 0): boolean {
    return !this.deps.budget || this.deps.budget.watcherSlotsFree(host) > promised;
  }

  /**
   * Extend the leases that are due (a third of their lifetime since the last renewal) or whose
   * watcher's state changed; a watch whose lease is lost, or could not be renewed within the
   * lease's lifetime, stops: another process has it.
   */
  private async renew(): Promise<void> {
    const now = Date.now();
    const due = [...this.held].filter(
      ([, h]) => now - h.renewedAt >= this.deps.leases.ttlMs / 3 || h.watcher.version !== h.written,
    );
    for (let i = 0; i < due.length; i += RENEW_AT_ONCE) {
      const batch = due.slice(i, i + RENEW_AT_ONCE).map(([id, h]) => ({ id, h, version: h.watcher.version }));
      const infos = batch.map(
        ({ id, h }) => [id, { owner: this.owner(), since: h.since, ...h.watcher.state }] as const,
      );
      const kept = await this.deps.leases.renewMany(infos).catch(() => batch.map(() => null));
      for (const [j, { id, h, version }] of batch.entries()) {
        if (kept[j] === true) {
          h.renewedAt = now;
          h.written = version;
        } else if (kept[j] === false || now - h.renewedAt > this.deps.leases.ttlMs) {
          this.deps.logger.warn({ accountId: id }, 'push watcher: lease lost, another process watches the account');
          await this.drop(id, false);
        }
      }
    }
  }

  private async take(row: MailAccountRow, settings: string): Promise<boolean> {
    const since = new Date().toISOString();
    const info: WatchInfo = { owner: this.owner(), since, state: 'connecting', reason: null };
    if (!(await this.deps.leases.acquire(row.id, info))) return false;
    const watcher = this.deps.watcherFor(row);
    // Written: 'connecting'; the watcher's first change is written at the next round.
    this.held.set(row.id, { watcher, since, settings, renewedAt: Date.now(), written: watcher.version });
    watcher.start();
    return true;
  }

  private async drop(id: number, release: boolean): Promise<void> {
    const h = this.held.get(id);
    if (!h) return;
    this.held.delete(id);
    await h.watcher.stop();
    if (release) await this.deps.leases.release(id).catch(() => undefined);
  }

  private owner(): string {
    return this.deps.leases.token.split(':').slice(0, 2).join(':');
  }
}

/** A push account as each round sees it: what a watch connects with, as one fingerprint. */
interface PushAccount {
  id: number;
  host: string;
  settings: string;
}

/**
 * The valid IMAP accounts with push, each with a fingerprint of its connection settings (the
 * fetchers' state changes on the row are not part of it): a change starts its watch again. Two
 * short columns per account instead of whole rows, every round.
 */
function pushAccounts(prisma: PrismaClient): Promise<PushAccount[]> {
  return prisma.$queryRaw<PushAccount[]>`
    SELECT id, host, md5(row(type, host, port, username, password_enc, auth_method, oauth2_provider_id,
      oauth2_delegate, imap_folder, imap_folders, tls_verify)::text) AS settings
    FROM mail_account
    WHERE push AND validity = 'valid' AND type IN ('IMAP', 'IMAPS', 'IMAPTLS')`;
}

function shuffled<T>(xs: T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
