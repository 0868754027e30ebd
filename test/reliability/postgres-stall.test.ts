import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@mailduct/core/config';
import { createLogger } from '@mailduct/core/log';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../helpers/fetch-world.js';
import { waitFor } from '../helpers/processes.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { testFetchRuntime, type TestFetchRuntime } from '../helpers/runtime.js';

let dc: Dovecot;
let w: FetchWorld;
let pgProxy: TcpProxy;
let stalled: TestFetchRuntime;
const QUERY_TIMEOUT_MS = 1500;

beforeAll(async () => {
  dc = await startDovecot({ users: 1 });
  w = await createFetchWorld(dc);
  pgProxy = await startTcpProxy(Number(new URL(w.ctx.databaseUrl).port || 5432));
  // A fetcher that reaches PostgreSQL only through the proxy, which will stop forwarding: the
  // connections stay open and nothing answers, as with a stalled server or a half-open link.
  const viaProxy = new URL(w.ctx.databaseUrl);
  viaProxy.port = String(pgProxy.port);
  const config = loadConfig({
    ...w.ctx.env,
    DATABASE_URL: viaProxy.toString(),
    MAILDUCT_DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
  });
  stalled = testFetchRuntime(config, createLogger({ level: 'silent' }));
});
afterAll(async () => {
  pgProxy?.delay(0);
  await stalled?.close();
  await w?.close();
  await pgProxy?.close();
  await dc?.stop();
});

describe('PostgreSQL stops answering in the middle of a run', () => {
  it('the run ends within the query timeout, deletes nothing unstored, and a later run completes exactly once', async () => {
    const user = dc.users[0]!;
    await dc.seed(user, 3000, 2000, { prefix: 'stall' });
    const id = await w.account('IMAP', user);
    const run = stalled.service.fetchAccount({ accountId: id, trigger: 'manual' }).then(
      (outcome) => ({ outcome, error: null }),
      (error: unknown) => ({ outcome: null, error }),
    );
    await waitFor(
      'the run to be under way',
      async () => (await w.runtime.prisma.inboundMessage.count({ where: { accountId: id } })) >= 200,
    );
    pgProxy.delay(3_600_000);
    const storedAtStall = await w.runtime.prisma.inboundMessage.count({ where: { accountId: id } });
    const stallStarted = Date.now();
    const ended = await run;
    const took = Date.now() - stallStarted;
    // A store statement times out, then recording the failed run times out as well: a few timeouts.
    expect(took).toBeLessThan(10 * QUERY_TIMEOUT_MS);
    if (ended.outcome) expect(ended.outcome).toMatchObject({ outcome: 'failed', error: { class: 'storage' } });
    else expect(String((ended.error as Error).message)).toMatch(/timeout/i);
    expect(3000 - dc.count(user)).toBeLessThanOrEqual(storedAtStall);
    pgProxy.delay(0);
    // Another fetcher (its lock taken over once the stalled one's lapses) drains the rest, exactly once.
    await expect
      .poll(async () => (await w.runtime.locks.holder(id)) === null, { timeout: 90_000, interval: 500 })
      .toBe(true);
    const again = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(again.outcome).toBe('success');
    expect(dc.count(user)).toBe(0);
    const rows = await w.messages(id);
    expect(rows).toHaveLength(3000);
    expect(new Set(rows.map((r) => r.sha256)).size).toBe(3000);
    const tickets = (await w.tickets()).filter((t) => t.data.accountId === id);
    expect(tickets).toHaveLength(3000);
    console.info(
      `postgres-stall: ${storedAtStall} stored when PostgreSQL stopped answering; the run ended ${took} ms later (${ended.outcome ? `${ended.outcome.outcome}, ${ended.outcome.error?.class}` : `threw: ${(ended.error as Error).message}`})`,
    );
  }, 180_000);
});
