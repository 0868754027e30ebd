import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';

// The same bytes delivered again are a new message (OTOBO makes two tickets); only the same bytes
// under the same server id (a re-download after a crash) are the same message.
let dc: Dovecot;
let w: FetchWorld;
let file: string;
beforeAll(async () => {
  dc = await startDovecot({ users: 4, noTls: true });
  w = await createFetchWorld(dc);
  file = join(mkdtempSync(join(tmpdir(), 'mailduct-redelivery-')), 'same.eml');
  writeFileSync(
    file,
    'From: customer@example.com\r\nTo: support@example.com\r\nSubject: printer broken\r\nMessage-ID: <same@example.com>\r\n\r\nIt is broken again.\r\n',
  );
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

describe.each(['IMAP', 'POP3'] as const)('%s: identical bytes', (type) => {
  it('delivered again after the first copy was fetched: a second message with its own ticket', async () => {
    const user = dc.users[type === 'IMAP' ? 0 : 1]!;
    const id = await w.account(type, user);
    await dc.deliver(user, [file]);
    expect(await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({
      outcome: 'success',
      counts: { fetched: 1, duplicates: 0 },
    });
    await dc.deliver(user, [file]);
    expect(await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({
      outcome: 'success',
      counts: { fetched: 1, duplicates: 0, dispatched: 1 },
    });
    const rows = await w.runtime.prisma.inboundMessage.findMany({ where: { accountId: id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.delivery)).toEqual([0, 1]);
    expect(new Set(rows.map((r) => r.sha256)).size).toBe(1);
    expect(
      (await w.tickets())
        .filter((t) => t.data.accountId === id)
        .map((t) => t.data.messageId)
        .sort(),
    ).toEqual(rows.map((r) => Number(r.id)).sort());
    expect(dc.count(user)).toBe(0);
  });

  it('twice in one mailbox at once: two messages, two tickets; downloaded again, still two', async () => {
    const user = dc.users[type === 'IMAP' ? 2 : 3]!;
    const id = await w.account(type, user);
    await dc.deliver(user, [file, file]);
    // a run that stops before its commit: both stored, both still on the server
    const crashed = await createFetchWorld(
      dc,
      { hooks: { beforeCommit: () => Promise.reject(new Error('crash before the commit')) } },
      {
        DATABASE_URL: w.ctx.databaseUrl,
        MAILDUCT_SECRET_KEY: w.ctx.config.secretKey,
        MAILDUCT_QUEUE_PREFIX: w.ctx.prefix,
      },
    );
    try {
      expect(await crashed.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({
        outcome: 'failed',
        counts: { fetched: 2 },
      });
    } finally {
      await crashed.runtime.close();
      await crashed.ctx.drop();
    }
    expect(dc.count(user)).toBe(2);
    expect(await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' })).toMatchObject({
      outcome: 'success',
      counts: { fetched: 0, duplicates: 2, deleted: 2 },
    });
    const rows = await w.runtime.prisma.inboundMessage.findMany({ where: { accountId: id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.delivery)).toEqual([0, 1]);
    expect((await w.tickets()).filter((t) => t.data.accountId === id)).toHaveLength(2);
    expect(dc.count(user)).toBe(0);
  });
});
