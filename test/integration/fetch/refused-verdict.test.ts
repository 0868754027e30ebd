import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from '@mailduct/core/db';
import { PgMessageStore, type IncomingRaw, type MessageStore } from '@mailduct/core/store';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';

let dc: Dovecot;
let w: FetchWorld;
let pool: pg.Pool;
let target: PgMessageStore;

/**
 * The real store, but the verdict of every mail with "poison" in its subject carries a value
 * PostgreSQL refuses (decide() never produces one now; this stands for whatever the next one is).
 */
const poisoning: MessageStore = {
  put: (accountId, items) => target.put(accountId, items.map(poison)),
  recordOutcomes: (outcomes) => target.recordOutcomes(outcomes),
  ticketRows: (ids) => target.ticketRows(ids),
  markEnqueued: (ids) => target.markEnqueued(ids),
  recordServerAction: (ids, action) => target.recordServerAction(ids, action),
  getRaw: (id) => target.getRaw(id),
  expireRaw: (days) => target.expireRaw(days),
  expireRows: (days) => target.expireRows(days),
  unconsumedTickets: (after, olderThanMs, batch) => target.unconsumedTickets(after, olderThanMs, batch),
  markConsumed: (ids) => target.markConsumed(ids),
};

function poison(item: IncomingRaw): IncomingRaw {
  const v = item.verdict;
  if (!v.summary?.subject?.includes('poison')) return item;
  return { ...item, verdict: { ...v, summary: { ...v.summary, subject: `${v.summary.subject}\u0000` } } };
}

beforeAll(async () => {
  dc = await startDovecot({ users: 2 });
  w = await createFetchWorld(dc, { store: poisoning });
  pool = createPgPool(w.ctx.databaseUrl);
  target = new PgMessageStore(pool);
});
afterAll(async () => {
  await pool?.end();
  await w?.close();
  await dc?.stop();
});

describe('a mail whose verdict PostgreSQL refuses', () => {
  it.each(['IMAP', 'POP3'] as const)(
    '%s: is stored quarantined, gets no ticket, and the account drains',
    async (type) => {
      const user = dc.users[type === 'IMAP' ? 0 : 1]!;
      await dc.seed(user, 30, 1500, { prefix: `fine-${type}` });
      await dc.seed(user, 1, 1500, { prefix: `poison-${type}` });
      await dc.seed(user, 30, 1500, { prefix: `fine-after-${type}` });
      const id = await w.account(type, user);
      const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
      expect(outcome.outcome).toBe('success');
      expect(outcome.counts).toMatchObject({ fetched: 61, dispatched: 60, quarantined: 1 });
      expect(dc.count(user)).toBe(0);
      const rows = await w.messages(id);
      const quarantined = rows.filter((r) => r.status === 'quarantined');
      expect(quarantined).toHaveLength(1);
      expect(quarantined[0]!.error).toMatch(/^PostgreSQL refused what was read from the headers/);
      const tickets = (await w.tickets()).filter((t) => t.data.accountId === id);
      expect(tickets).toHaveLength(60);
      expect(tickets.map((t) => t.data.messageId)).not.toContain(quarantined[0]!.id);
    },
  );
});
