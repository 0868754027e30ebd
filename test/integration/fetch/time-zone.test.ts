// This process runs in New York time, and so does the database: every time mailduct writes or
// reads must still be the instant it names (timestamps are stored as UTC).
process.env.TZ = 'America/New_York';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { adminQuery } from '../../helpers/services.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';

let dc: Dovecot;
let w: FetchWorld;
beforeAll(async () => {
  dc = await startDovecot({ users: 1, noTls: true });
  w = await createFetchWorld(dc, {}, {}, async (ctx) => {
    const name = new URL(ctx.databaseUrl).pathname.slice(1);
    await adminQuery(ctx.databaseUrl, `ALTER DATABASE "${name}" SET TimeZone = 'America/New_York'`);
  });
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

const near = (iso: string | Date | null | undefined, at: number) =>
  Math.abs(new Date(iso ?? 0).getTime() - at) < 120_000;

describe('PostgreSQL and the fetcher in America/New_York', () => {
  it('tickets, stored messages and runs carry the real instant', async () => {
    const [session] = await w.runtime.prisma.$queryRawUnsafe<{ tz: string }[]>(
      `SELECT current_setting('TimeZone') AS tz`,
    );
    expect(session!.tz).toBe('UTC'); // what mailduct's sessions use, whatever the database says
    await dc.seed(dc.users[0]!, 3, 1000, { prefix: 'tz' });
    const id = await w.account('IMAP', dc.users[0]!);
    const before = Date.now();
    expect(await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({
      outcome: 'success',
      counts: { fetched: 3 },
    });
    const tickets = (await w.tickets()).filter((t) => t.data.accountId === id);
    expect(tickets).toHaveLength(3);
    for (const t of tickets) expect(near(t.data.receivedAt, before), t.data.receivedAt).toBe(true);
    const stored = await w.runtime.prisma.inboundMessage.findMany({ where: { accountId: id } });
    for (const m of stored) {
      expect(near(m.receivedAt, before)).toBe(true);
      expect(near(m.enqueuedAt, before)).toBe(true);
      expect(near(m.deletedOnServerAt, before)).toBe(true);
    }
    const run = await w.runtime.prisma.fetchRun.findFirst({ where: { accountId: id } });
    expect(near(run!.startedAt, before)).toBe(true);
  });

  it('the API shows the real instant too', async () => {
    const api: TestApi = await createTestApi({
      DATABASE_URL: w.ctx.databaseUrl,
      MAILDUCT_SECRET_KEY: w.ctx.config.secretKey,
    });
    try {
      const res = await api.app.inject({ method: 'GET', url: '/api/v1/messages', headers: api.auth });
      expect(res.statusCode).toBe(200);
      const items = res.json().items as { receivedAt: string }[];
      expect(items.length).toBeGreaterThan(0);
      for (const m of items) expect(near(m.receivedAt, Date.now())).toBe(true);
    } finally {
      await api.app.close();
      await api.deps.close();
      await api.ctx.drop(); // the clone it made for itself, not the database it used
    }
  });
});
