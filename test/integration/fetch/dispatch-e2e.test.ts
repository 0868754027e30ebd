import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressService } from '@mailduct/core/queues';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';

let dc: Dovecot;
let w: FetchWorld;
const dir = mkdtempSync(join(tmpdir(), 'mailduct-eml-'));
let n = 0;

beforeAll(async () => {
  dc = await startDovecot({ users: 8 });
  w = await createFetchWorld(dc);
  const addresses = new AddressService(w.runtime.prisma);
  await addresses.create({ address: 'sales@example.com', queueId: 4 }, 'test'); // Misc
  await addresses.create({ address: 'junk@example.com', queueId: 3 }, 'test'); // Junk
});
afterAll(async () => {
  await w?.close();
  await dc?.stop();
});

function eml(headers: string[]): string {
  const file = join(dir, `m${++n}.eml`);
  writeFileSync(
    file,
    `${[...headers, `Message-ID: <e2e-${n}@test>`, 'From: Customer <customer@x.example>', `Subject: case ${n}`].join('\r\n')}\r\n\r\nBody ${n}\r\n`,
  );
  return file;
}

async function deliverAndFetch(user: string, accountId: number, headers: string[]) {
  await dc.deliver(user, [eml(headers)]);
  const outcome = await w.runtime.service.fetchAccount({ accountId, trigger: 'manual' });
  expect(outcome.outcome).toBe('success');
  expect(dc.count(user)).toBe(0); // ignored mail is deleted too
  const row = (await w.messages(accountId)).at(-1)!;
  const ticket = (await w.tickets()).find((t) => t.data.messageId === row.id);
  return { row, ticket: ticket?.data };
}

describe('dispatch through the whole pipeline', () => {
  it("by queue: into the account's queue", async () => {
    const id = await w.account('IMAP', dc.users[0]!, { dispatch: { by: 'queue', queueId: 1 } });
    const { ticket } = await deliverAndFetch(dc.users[0]!, id, ['To: sales@example.com']);
    expect(ticket).toMatchObject({ queue: { name: 'Postmaster' }, dispatch: { by: 'queue' }, trusted: false });
  });

  it('by To: the queue of the system address, found in Cc', async () => {
    const id = await w.account('POP3', dc.users[1]!);
    const { ticket } = await deliverAndFetch(dc.users[1]!, id, [
      'To: someone@else.example',
      'Cc: Sales <SALES@example.com>',
    ]);
    expect(ticket).toMatchObject({
      queue: { name: 'Misc' },
      dispatch: { by: 'to', matchedAddress: 'sales@example.com', header: 'Cc' },
    });
  });

  it('by To: the default queue Raw when no system address matches', async () => {
    const id = await w.account('IMAPS', dc.users[2]!);
    const { ticket } = await deliverAndFetch(dc.users[2]!, id, ['To: nobody@else.example']);
    expect(ticket).toMatchObject({ queue: { name: 'Raw' }, dispatch: { by: 'default' } });
  });

  it('trusted: X-OTOBO-Queue overrides and the other X-OTOBO-* travel as attributes', async () => {
    const id = await w.account('POP3S', dc.users[3]!, { trusted: true });
    const { ticket } = await deliverAndFetch(dc.users[3]!, id, [
      'To: sales@example.com',
      'X-OTOBO-Queue: Junk',
      'X-OTOBO-Priority: 5 very high',
      'X-OTOBO-DynamicField-Contract: 42',
      'Precedence: bulk',
      'In-Reply-To: <p@x>',
    ]);
    expect(ticket).toMatchObject({
      queue: { name: 'Junk' },
      dispatch: { by: 'x-otobo-queue' },
      trusted: true,
      otobo: { Queue: 'Junk', Priority: '5 very high', 'DynamicField-Contract': '42' },
      loop: { loop: true, reasons: ['Precedence'] },
      followUp: { inReplyTo: '<p@x>' },
    });
  });

  it('trusted: X-OTOBO-Ignore: yes records the mail as ignored, sends no ticket and deletes it on the server', async () => {
    const id = await w.account('IMAPTLS', dc.users[4]!, { trusted: true });
    const { row, ticket } = await deliverAndFetch(dc.users[4]!, id, ['To: sales@example.com', 'X-OTOBO-Ignore: yes']);
    expect(row.status).toBe('ignored');
    expect(ticket).toBeUndefined();
  });

  it('untrusted: X-OTOBO-Queue and X-OTOBO-Ignore have no effect and are listed as stripped', async () => {
    const id = await w.account('POP3TLS', dc.users[5]!);
    const { row, ticket } = await deliverAndFetch(dc.users[5]!, id, [
      'To: sales@example.com',
      'X-OTOBO-Queue: Junk',
      'X-OTOBO-Ignore: yes',
      'X-OTOBO-Priority: 1 very low',
    ]);
    expect(row.status).toBe('dispatched');
    expect(ticket).toMatchObject({
      queue: { name: 'Misc' },
      trusted: false,
      otobo: {},
      strippedOtoboHeaders: ['X-OTOBO-Queue', 'X-OTOBO-Ignore', 'X-OTOBO-Priority'],
    });
  });

  it('a message without any header field is quarantined, stored byte for byte, and still deleted on the server', async () => {
    const id = await w.account('IMAP', dc.users[6]!);
    const file = join(dir, 'garbage.eml');
    writeFileSync(file, '\r\n\r\nthis is not a mail\r\n');
    await dc.deliver(dc.users[6]!, [file]);
    const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(outcome.counts).toMatchObject({ fetched: 1, quarantined: 1, dispatched: 0 });
    const [row] = await w.messages(id);
    expect(row).toMatchObject({ status: 'quarantined', error: 'no header fields found' });
    expect(dc.count(dc.users[6]!)).toBe(0);
  });
});
