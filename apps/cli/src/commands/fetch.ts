import { createFetchRuntime } from '@mailduct/fetcher';
import type { Config } from '@mailduct/core/config';
import type { PrismaClient } from '@mailduct/core/db';
import type { FetchOutcome } from '@mailduct/core/fetch';
import { createInfrastructure } from '@mailduct/core/infrastructure';
import { createLogger } from '@mailduct/core/log';
import type { Io } from '../main.js';
import { UsageError } from '../usage.js';

export interface FetchFlags {
  'account-id'?: string;
  limit?: string;
  timeout?: string;
  debug?: boolean;
  force?: boolean;
}

/**
 * `mailduct fetch`: OTOBO's Maint::PostMaster::MailAccountFetch, run in this process under the
 * same per-account locks as the workers. Exit 0 when every account succeeded (or was being
 * fetched by another process), 1 otherwise.
 */
export async function fetchCommand(config: Readonly<Config>, flags: FetchFlags, io: Io): Promise<number> {
  const accountId = flags['account-id'] === undefined ? undefined : positive('--account-id', flags['account-id']);
  const limit = flags.limit === undefined ? undefined : positive('--limit', flags.limit);
  const timeout = flags.timeout === undefined ? 600 : positive('--timeout', flags.timeout);
  const infra = createInfrastructure(config, { name: 'mailduct-fetch', poolSize: 4 });
  const runtime = createFetchRuntime(
    infra,
    createLogger({ level: flags.debug ? 'debug' : 'silent', name: 'mailduct-fetch' }, process.stderr),
  );
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`timeout of ${timeout} seconds reached`)), timeout * 1000);
  try {
    const accounts = await selectAccounts(infra.prisma, accountId, flags.force === true, io);
    if (accounts === null) return 1;
    if (accounts.length === 0) {
      io.out('No configured mail accounts found!');
      return 0;
    }
    // PostgreSQL and Redis are checked before any mail server is asked for mail.
    await runtime.ready();
    let failures = 0;
    for (const a of accounts) {
      if (deadline.signal.aborted) {
        io.err(`Timeout of ${timeout} seconds reached, account ${a.id} and the rest were not fetched.`);
        return 1;
      }
      const trace = flags.debug ? (dir: string, line: string) => io.err(`  ${dir}: ${line}`) : undefined;
      const outcome = await runtime.service.fetchAccount(
        { accountId: a.id, trigger: 'cli', limit },
        { signal: deadline.signal, interrupt: deadline.signal, trace },
      );
      io.out(`${a.host} (${a.type})... ${describe(outcome)}`);
      if (outcome.outcome === 'failed') failures++;
    }
    io.out('Done.');
    return failures === 0 ? 0 : 1;
  } finally {
    clearTimeout(timer);
    await infra.close();
  }
}

type Selected = { id: number; host: string; type: string };

async function selectAccounts(
  prisma: PrismaClient,
  id: number | undefined,
  force: boolean,
  io: Io,
): Promise<Selected[] | null> {
  const select = { id: true, host: true, type: true, validity: true } as const;
  if (id === undefined)
    return prisma.mailAccount.findMany({ where: { validity: 'valid' }, orderBy: { id: 'asc' }, select });
  const account = await prisma.mailAccount.findUnique({ where: { id }, select });
  if (!account) {
    io.err(`Could not find mail account ${id}.`);
    return null;
  }
  if (account.validity !== 'valid' && !force) {
    io.err(
      `Mail account ${id} (${account.host}) is not valid (${account.validity.replace('_', '-')}); use --force to fetch it anyway.`,
    );
    return null;
  }
  return [account];
}

function describe(o: FetchOutcome): string {
  if (o.outcome === 'skipped') return `skipped: ${o.skippedReason}`;
  const c = o.counts;
  const counts = `fetched ${c.fetched}, ignored ${c.ignored}, quarantined ${c.quarantined}, oversized ${c.oversized}${c.duplicates ? `, already stored ${c.duplicates}` : ''}`;
  const warnings = c.warnings.map((w) => `\n  warning: ${w}`).join('');
  if (!o.error) return `${counts}${warnings}`;
  return `failed (${o.error.class}): ${o.error.message}${c.fetched + c.duplicates > 0 ? ` [before that: ${counts}]` : ''}${o.parked ? ' — account parked' : ''}`;
}

function positive(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 2147483647)
    throw new UsageError(`${flag} must be a positive whole number (got "${value}")`);
  return Number(value);
}
