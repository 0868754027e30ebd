import { recordAudit } from '../audit/index.js';
import type { MailAccountRow, PrismaClient } from '../db/index.js';
import type { ErrorClass } from '../errors/index.js';
import type { FetchTrigger } from '../jobs/index.js';
import { countersOfRun } from '../metrics/index.js';
import { replaceControlCharacters } from '../text/index.js';
import { onFailure } from './failure-policy.js';
import type { FetchCounts } from './fetch-session.js';
import { accountEventData, accountEventsOf } from '../webhooks/account-events.js';
import type { AccountEventData, WebhookEventType } from '../webhooks/webhook-events.js';

/** A failed run's error, as recorded. */
export interface RunError {
  class: ErrorClass;
  code: string;
  message: string;
}

/** What `finish` decided about the account. */
export interface RunVerdict {
  parked: boolean;
  backoffUntil: Date | null;
  /** The account events this run gives (webhooks), with their data. */
  events: WebhookEventType[];
  eventData: AccountEventData | null;
}

/**
 * Writes FetchRun rows and the account's fetch state (last run, last success, last error,
 * consecutive failures, oversized count), and applies the failure policy: backoff for transient
 * errors, parking (validity invalid-temporarily, audit event) after repeated auth failures.
 */
export class RunRecorder {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly parkAfterAuthFailures: number,
  ) {}

  /**
   * Open a run. The caller holds the account's lock, so a run of this account still marked as
   * running was cut short (killed process, storage outage): it is closed as failed first.
   */
  async start(accountId: number, trigger: FetchTrigger, worker: string | null = null): Promise<number> {
    await this.prisma.fetchRun.updateMany({
      where: { accountId, outcome: 'running' },
      data: {
        outcome: 'failed',
        finishedAt: new Date(),
        errorClass: 'storage',
        errorMessage: 'interrupted: the fetcher stopped or could not record the end of the run',
      },
    });
    const run = await this.prisma.fetchRun.create({ data: { accountId, trigger, worker }, select: { id: true } });
    return Number(run.id);
  }

  async finish(
    runId: number,
    accountId: number,
    counts: FetchCounts,
    runError: RunError | null,
    now = new Date(),
    /** A pushed run: when its watcher saw the new mail (mailduct_push_latency_seconds). */
    notifiedAt?: number,
  ): Promise<RunVerdict> {
    // Server text may carry any byte; PostgreSQL text columns refuse NUL.
    const error = runError ? { ...runError, message: replaceControlCharacters(runError.message) } : null;
    return this.prisma.$transaction(async (tx) => {
      await closeRun(tx, runId, accountId, counts, error, now, notifiedAt);
      const account = await tx.mailAccount.findUnique({ where: { id: accountId } });
      if (!account) return { parked: false, backoffUntil: null, events: [], eventData: null };
      if (!error) {
        await tx.mailAccount.update({ where: { id: accountId }, data: succeeded(now, counts) });
        const events = accountEventsOf({
          failuresBefore: account.consecutiveFailures,
          failuresAfter: 0,
          parked: false,
          errorCode: null,
        });
        return { parked: false, backoffUntil: null, events, eventData: accountEventData(account, 0, null) };
      }
      return this.failed(tx, account, error, counts, now);
    });
  }

  /** Count the failure, back off or park the account (with an audit event). */
  private async failed(tx: Tx, account: MailAccountRow, error: RunError, counts: FetchCounts, now: Date) {
    const state = {
      consecutiveFailures: account.consecutiveFailures + 1,
      consecutiveAuthFailures: error.class === 'auth' ? account.consecutiveAuthFailures + 1 : 0,
      pollIntervalSeconds: account.pollIntervalSeconds,
    };
    const action = onFailure(error, state, now, this.parkAfterAuthFailures);
    const park = action.park !== null && account.validity === 'valid';
    await tx.mailAccount.update({
      where: { id: account.id },
      data: {
        lastRunAt: now,
        ...state,
        lastErrorClass: error.class,
        lastErrorMessage: error.message.slice(0, 1000),
        backoffUntil: action.backoffUntil,
        oversizedCount: counts.oversized,
        ...(park ? { validity: 'invalid_temporarily' as const, parkedReason: action.park, updatedBy: 'mailduct' } : {}),
      },
    });
    if (park) {
      await recordAudit(tx, {
        actor: 'mailduct',
        action: 'park',
        entity: 'mail_account',
        entityId: account.id,
        changes: {
          validity: { from: 'valid', to: 'invalid-temporarily' },
          parkedReason: { from: null, to: action.park },
        },
      });
    }
    const events = accountEventsOf({
      failuresBefore: account.consecutiveFailures,
      failuresAfter: state.consecutiveFailures,
      parked: park,
      errorCode: error.code,
    });
    const parkedReason = park ? action.park : account.parkedReason;
    const eventData = accountEventData({ ...account, parkedReason }, state.consecutiveFailures, error);
    return { parked: park, backoffUntil: action.backoffUntil, events, eventData };
  }
}

/** Write the run's outcome and counts, and add them to the account's and the global counters. */
async function closeRun(
  tx: Tx,
  runId: number,
  accountId: number,
  counts: FetchCounts,
  error: RunError | null,
  now: Date,
  notifiedAt?: number,
): Promise<void> {
  const run = await tx.fetchRun.findUnique({ where: { id: BigInt(runId) }, select: { startedAt: true } });
  const tookMs = now.getTime() - (run?.startedAt.getTime() ?? now.getTime());
  const pushedMs = notifiedAt === undefined ? undefined : now.getTime() - notifiedAt;
  const counters = countersOfRun(counts, error?.class ?? null, tookMs, pushedMs);
  await addCounters(tx, accountId, counters.perAccount);
  await addCounters(tx, 0, counters.global);
  await tx.fetchRun.update({
    where: { id: BigInt(runId) },
    data: {
      outcome: error ? 'failed' : 'success',
      finishedAt: now,
      ...countColumns(counts),
      bytes: BigInt(counts.bytes),
      errorClass: error?.class ?? null,
      errorMessage: error?.message.slice(0, 1000) ?? null,
      warnings: counts.warnings.map((w) => replaceControlCharacters(w).slice(0, 1000)),
    },
  });
}

/** The account's state after a run that succeeded. */
function succeeded(now: Date, counts: FetchCounts) {
  return {
    lastRunAt: now,
    lastSuccessAt: now,
    consecutiveFailures: 0,
    consecutiveAuthFailures: 0,
    lastErrorClass: null,
    lastErrorMessage: null,
    backoffUntil: null,
    oversizedCount: counts.oversized,
  };
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

async function addCounters(tx: Tx, accountId: number, values: Record<string, number>): Promise<void> {
  const entries = Object.entries(values).filter(([, v]) => v !== 0);
  if (entries.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO fetch_counter (account_id, name, value) SELECT $1, n, v FROM unnest($2::text[], $3::bigint[]) AS t(n, v)
     ON CONFLICT (account_id, name) DO UPDATE SET value = fetch_counter.value + EXCLUDED.value`,
    accountId,
    entries.map(([k]) => k),
    entries.map(([, v]) => v),
  );
}

function countColumns(c: FetchCounts) {
  return {
    fetched: c.fetched,
    duplicates: c.duplicates,
    dispatched: c.dispatched,
    ignored: c.ignored,
    quarantined: c.quarantined,
    oversized: c.oversized,
  };
}
