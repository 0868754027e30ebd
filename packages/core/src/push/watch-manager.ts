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
}

/** Accounts taken per round: processes starting together take turns instead of one taking all. */
const TAKE_PER_ROUND = 50;

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
    const rows = await this.deps.prisma.mailAccount.findMany({
      where: { push: true, validity: 'valid', type: { in: ['IMAP', 'IMAPS', 'IMAPTLS'] } },
    });
    const wanted = new Map(rows.map((r) => [r.id, r]));
    for (const [id, h] of this.held) {
      const row = wanted.get(id);
      if (!row || settingsOf(row) !== h.settings) await this.drop(id, true);
    }
    await this.renew();
    let taken = 0;
    for (const row of shuffled(rows)) {
      if (this.closed || this.held.size >= this.deps.maxWatchers || taken >= TAKE_PER_ROUND) break;
      if (this.held.has(row.id) || this.deps.budget?.watcherSlotFree(row.host) === false) continue;
      if (await this.take(row)) taken++;
    }
  }

  private async renew(): Promise<void> {
    const now = Date.now();
    for (const [id, h] of this.held) {
      const kept = await this.deps.leases.renew(id, this.info(h)).catch(() => null);
      if (kept === true) h.renewedAt = now;
      else if (kept === false || now - h.renewedAt > this.deps.leases.ttlMs) {
        this.deps.logger.warn({ accountId: id }, 'push watcher: lease lost, another process watches the account');
        await this.drop(id, false);
      }
    }
  }

  private async take(row: MailAccountRow): Promise<boolean> {
    const since = new Date().toISOString();
    const info: WatchInfo = { owner: this.owner(), since, state: 'connecting', reason: null };
    if (!(await this.deps.leases.acquire(row.id, info))) return false;
    const watcher = this.deps.watcherFor(row);
    this.held.set(row.id, { watcher, since, settings: settingsOf(row), renewedAt: Date.now() });
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

  private info(h: Held): WatchInfo {
    return { owner: this.owner(), since: h.since, ...h.watcher.state };
  }

  private owner(): string {
    return this.deps.leases.token.split(':').slice(0, 2).join(':');
  }
}

/** What a watch connects with (the fetchers' state changes on the row are not part of it). */
function settingsOf(r: MailAccountRow): string {
  return JSON.stringify([
    r.type,
    r.host,
    r.port,
    r.username,
    r.passwordEnc,
    r.authMethod,
    r.oauth2ProviderId,
    r.oauth2Delegate,
    r.imapFolder,
    r.imapFolders,
    r.tlsVerify,
  ]);
}

function shuffled<T>(xs: T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
