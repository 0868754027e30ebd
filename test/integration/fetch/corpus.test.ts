import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS } from '../../helpers/corpus.js';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';

const files = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .map(([folder, file, , , , sha256]) => ({ path: join(CORPUS, folder!, file!), sha256: sha256! }));

let dc: Dovecot;
let w: FetchWorld;
beforeAll(async () => {
  dc = await startDovecot({ users: 2 });
  w = await createFetchWorld(dc);
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

/**
 * What a mail server hands out for a file: deliver.sh drops a leading mbox "From " line, line
 * endings become CRLF, Dovecot replaces NUL bytes (not allowed in IMAP/POP3 messages) with 0x80,
 * and POP3 ends a message without a final line break with one (RFC 1939 multi-line framing).
 */
function comparable(bytes: Buffer): string {
  let b = bytes;
  if (b.subarray(0, 5).toString('latin1') === 'From ') {
    const nl = b.indexOf(0x0a);
    b = nl < 0 ? Buffer.alloc(0) : b.subarray(nl + 1);
  }
  return createHash('sha256')
    .update(b.toString('latin1').replace(/\r\n/g, '\n').replaceAll('\u0000', '\u0080').replace(/\n$/, ''))
    .digest('hex');
}

describe('the public mail corpus through fetch, parse and dispatch', () => {
  it('has the files the manifest lists, unchanged', () => {
    expect(files.length).toBe(323);
    for (const f of files)
      expect(createHash('sha256').update(readFileSync(f.path)).digest('hex'), f.path).toBe(f.sha256);
  });

  it.each([['IMAP', 0] as const, ['POP3', 1] as const])(
    '%s: every message ends dispatched, ignored or quarantined, none lost, raw bytes kept',
    async (type, index) => {
      const user = dc.users[index]!;
      await dc.deliver(
        user,
        files.map((f) => f.path),
      );
      const expected = new Set(files.map((f) => comparable(readFileSync(f.path))));
      const id = await w.account(type, user, { trusted: true });
      const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
      expect(outcome.error).toBeNull();
      expect(dc.count(user)).toBe(0);
      const rows = await w.runtime.prisma.inboundMessage.findMany({
        where: { accountId: id },
        select: { id: true, status: true, raw: true, error: true },
      });
      // Count in = count out (byte-identical mails are stored once by design).
      expect(rows.length).toBe(outcome.counts.fetched);
      const got = new Set(rows.map((r) => comparable(Buffer.from(r.raw!))));
      expect(got).toEqual(expected);
      const byStatus = { dispatched: 0, ignored: 0, quarantined: 0, stored: 0 };
      for (const r of rows) byStatus[r.status]++;
      expect(byStatus.stored).toBe(0);
      expect(byStatus.dispatched + byStatus.ignored + byStatus.quarantined).toBe(rows.length);
      const tickets = (await w.tickets()).filter((t) => t.data.accountId === id);
      expect(tickets.length).toBe(byStatus.dispatched);
      console.info(
        `corpus via ${type}: ${files.length} files, ${expected.size} distinct as served, stored ${rows.length}: ${JSON.stringify(byStatus)}; quarantined: ${rows
          .filter((r) => r.status === 'quarantined')
          .map((r) => r.error)
          .join(' | ')}`,
      );
    },
  );
});

describe('the corpus through the full MIME parse (GET /messages/:id/parsed)', () => {
  it('parses every file without an exception', async () => {
    const { parseFullMessage } = await import('@mailduct/core/messages');
    let attachments = 0;
    for (const f of files) {
      const parsed = await parseFullMessage(readFileSync(f.path));
      expect(parsed.attachments, f.path).toBeInstanceOf(Array);
      attachments += parsed.attachments.length;
    }
    expect(attachments).toBeGreaterThan(100);
  });
});
