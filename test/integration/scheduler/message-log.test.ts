import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { startHousekeeping, type Housekeeping } from '@mailduct/scheduler';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';

// MAILDUCT_MESSAGE_LOG_DAYS bounds the rows that outlive their raw mail (2.8 KB a mail, forever
// otherwise): a row goes only when its message is gone from the server and its ticket was
// consumed that long ago; the rows that recognise mail still on the server stay.
let dc: Dovecot;
let w: FetchWorld;
let housekeeping: Housekeeping;
beforeAll(async () => {
  dc = await startDovecot({ users: 2, noTls: true });
  w = await createFetchWorld(dc, {}, { MAILDUCT_MESSAGE_LOG_DAYS: '30' });
  housekeeping = startHousekeeping(w.runtime.infra, createLogger({ level: 'silent' }), { everyMs: 3_600_000 });
});
afterAll(async () => {
  await housekeeping?.close();
  await w?.close();
  await dc?.stop();
});

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

async function age(ids: readonly number[], data: { consumedAt?: Date | null; status?: 'quarantined' }) {
  await w.runtime.prisma.inboundMessage.updateMany({
    where: { id: { in: ids.map(BigInt) } },
    data: { receivedAt: daysAgo(40), ...data },
  });
}

describe('MAILDUCT_MESSAGE_LOG_DAYS', () => {
  it('deletes the rows of mail gone from the server and consumed long ago, and no other', async () => {
    const [deleting, keeping] = dc.users as [string, string];
    await dc.seed(deleting, 4, 1200, { prefix: 'gone' });
    await dc.seed(keeping, 2, 1200, { prefix: 'kept' });
    const gone = await w.account('IMAP', deleting);
    const kept = await w.account('IMAP', keeping, { afterFetch: 'keep' });
    for (const accountId of [gone, kept]) await w.runtime.service.fetchAccount({ accountId, trigger: 'manual' });
    const goneIds = (await w.messages(gone)).map((r) => Number(r.id));
    const keptIds = (await w.messages(kept)).map((r) => Number(r.id));
    expect([goneIds.length, keptIds.length, dc.count(deleting), dc.count(keeping)]).toEqual([4, 2, 0, 2]);

    const [done, unconsumed, recent, quarantined] = goneIds as [number, number, number, number];
    await age([done, quarantined, ...keptIds], { consumedAt: daysAgo(40) });
    await age([quarantined], { status: 'quarantined' });
    await age([unconsumed], { consumedAt: null });
    await age([recent], { consumedAt: daysAgo(5) });

    expect((await housekeeping.runOnce()).expiredRows).toBe(1);
    const left = await w.runtime.prisma.inboundMessage.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    expect(left.map((r) => Number(r.id))).toEqual([unconsumed, recent, quarantined, ...keptIds]);
    expect((await housekeeping.runOnce()).expiredRows).toBe(0);

    // The rows of mail left on the server still recognise it: the next run stores nothing again.
    const tickets = (await w.tickets()).length;
    const again = await w.runtime.service.fetchAccount({ accountId: kept, trigger: 'manual' });
    expect(again.outcome).toBe('success');
    expect((await w.messages(kept)).map((r) => Number(r.id))).toEqual(keptIds);
    expect((await w.tickets()).length).toBe(tickets);
  });
});
