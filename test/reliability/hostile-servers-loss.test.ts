import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import {
  imapMailboxScript,
  pop3MailboxScript,
  startFakeServer,
  type FakeServer,
  type MailboxRecord,
  type ScriptedMessage,
} from '../helpers/fake-mail-server.js';
import { createFetchWorld, type FetchWorld } from '../helpers/fetch-world.js';
import { startMailutilsImap, type MailutilsImap } from '../helpers/mailutils.js';

// Servers that are not hostile on the wire but would have made mailduct lose or wrongly delete
// mail: repeated UIDLs, no UIDPLUS, sizes that lie, folders too large for one SEARCH answer.
// Real Dovecot where it can be configured that way; a scripted server only for wrong sizes.

let odd: Dovecot; // pop3_uidl_format = %v (every message the same UIDL), no UIDPLUS
let w: FetchWorld;
const servers: FakeServer[] = [];

beforeAll(async () => {
  odd = await startDovecot({ users: 4, noTls: true });
  await odd.configure(
    [
      'protocol imap {',
      '  imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE',
      '}',
      'protocol pop3 {',
      '  pop3_uidl_format = %v',
      '}',
    ].join('\n'),
  );
  w = await createFetchWorld(odd, {
    settings: {
      maxMessageBytes: 1024 * 1024,
      fetchLimit: 5000,
      timeouts: { connect: 3000, greeting: 3000, command: 5000 },
    },
  });
}, 60_000);
afterAll(async () => {
  for (const s of servers) await s.close();
  await w?.close();
  await odd?.stop();
});

/** Another mail client's session on a user's INBOX. */
async function imapSession(user: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: odd.host,
    port: odd.imapPort,
    secure: false,
    auth: { user, pass: odd.password },
    logger: false,
    disableAutoEnable: true,
  });
  await client.connect();
  await client.mailboxOpen('INBOX');
  return client;
}

async function storedSubjects(accountId: number): Promise<string[]> {
  return (await w.messages(accountId)).map((m) => m.subject ?? '').sort();
}

describe('a POP3 server that gives several messages the same UIDL', () => {
  it('stores every one of them (downloads are matched by message number) and says so in the run', async () => {
    const user = odd.users[0]!;
    await odd.seed(user, 5, 2000, { prefix: 'same-uidl' });
    const id = await w.account('POP3', user);
    const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 5, duplicates: 0 } });
    expect(outcome.counts.warnings.join(' ')).toMatch(/5 messages under UIDLs/);
    expect(await storedSubjects(id)).toEqual([1, 2, 3, 4, 5].map((n) => `same-uidl message ${n}`));
    expect(odd.count(user)).toBe(0);
    expect((await w.tickets()).filter((t) => t.data.accountId === id)).toHaveLength(5);
  });
});

describe('an IMAP server without UIDPLUS', () => {
  it('expunges when only the stored messages are flagged \\Deleted', async () => {
    const user = odd.users[1]!;
    await odd.seed(user, 4, 2000, { prefix: 'alone' });
    const id = await w.account('IMAP', user);
    const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 4, deleted: 4, warnings: [] } });
    expect(odd.count(user)).toBe(0);
  });

  it("leaves another client's \\Deleted message that it did not download alone: ours stay flagged until a later run can expunge them", async () => {
    const user = odd.users[2]!;
    await odd.seed(user, 3, 2000, { prefix: 'ours' });
    await odd.seed(user, 1, 2000, { prefix: 'theirs' });
    const other = await imapSession(user);
    const uids = (await other.search({ all: true }, { uid: true })) as number[];
    const theirs = uids[3]!;
    // another mail client flagged its message \Deleted and has not expunged yet
    expect(await other.messageFlagsAdd(String(theirs), ['\\Deleted'], { uid: true })).toBe(true);
    const id = await w.account('IMAP', user);
    // a run limited to 3 messages does not download it: a plain EXPUNGE would remove it unstored
    const first = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual', limit: 3 });
    expect(first).toMatchObject({ outcome: 'success', counts: { fetched: 3, deleted: 0 } });
    expect(first.counts.warnings.join(' ')).toMatch(
      /no UIDPLUS and 1 other message\(s\) in "INBOX" are flagged \\Deleted: 3 stored message\(s\) were flagged/,
    );
    expect(odd.count(user)).toBe(4);
    const runs = await w.runtime.prisma.fetchRun.findMany({ where: { accountId: id } });
    expect(runs[0]!.warnings).toEqual(first.counts.warnings);
    const rows = await w.runtime.prisma.inboundMessage.findMany({ where: { accountId: id } });
    expect(rows.every((r) => r.deletedOnServerAt === null)).toBe(true);
    // the other client takes its flag back: the next run finds ours stored and expunges only them
    await other.messageFlagsRemove(String(theirs), ['\\Deleted'], { uid: true });
    await other.logout();
    const second = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual', limit: 3 });
    expect(second).toMatchObject({
      outcome: 'success',
      counts: { fetched: 0, duplicates: 3, deleted: 3, warnings: [] },
    });
    const after = await imapSession(user);
    expect(await after.search({ all: true }, { uid: true })).toEqual([theirs]);
    await after.logout();
    expect((await w.tickets()).filter((t) => t.data.accountId === id)).toHaveLength(3);
    const marked = await w.runtime.prisma.inboundMessage.findMany({ where: { accountId: id } });
    expect(marked.every((r) => r.deletedOnServerAt !== null)).toBe(true);
  });
});

describe('a server whose sizes are wrong', () => {
  const small = (n: number) => `Subject: listed ${n}\r\nMessage-ID: <listed-${n}@test>\r\n\r\nbody ${n}\r\n`;
  // 1.2 MB, above this world's 1 MiB size limit, listed as 200 bytes
  const huge = `Subject: listed 2\r\nMessage-ID: <listed-2@test>\r\n\r\n${`${'x'.repeat(998)}\r\n`.repeat(1200)}`;
  const mailbox: ScriptedMessage[] = [
    { listed: 200, body: small(1) },
    { listed: 200, body: huge },
    { listed: 200, body: small(3) },
  ];

  async function account(type: 'IMAP' | 'POP3', record: MailboxRecord): Promise<number> {
    const server = await startFakeServer(
      type === 'IMAP' ? imapMailboxScript(mailbox, record) : pop3MailboxScript(mailbox, record),
    );
    servers.push(server);
    return (
      await w.accounts.create(
        { type, host: '127.0.0.1', port: server.port, username: `sizes-${server.port}`, password: 'sizes-password' },
        'test',
      )
    ).id;
  }

  it.each(['IMAP', 'POP3'] as const)(
    '%s: a message larger on the wire than listed is left and reported; the others are fetched and deleted',
    async (type) => {
      const record: MailboxRecord = { flagged: [], expunged: [], deleted: [], sentBytes: 0 };
      const id = await account(type, record);
      const outcome = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
      expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 2, oversized: 1 } });
      expect(outcome.counts.warnings.join(' ')).toMatch(/much larger than it listed them/);
      expect(await storedSubjects(id)).toEqual(['listed 1', 'listed 3']);
      if (type === 'IMAP') {
        expect(record.expunged.sort()).toEqual([1, 3]);
        // asked for at most the cap of a 200-byte listing + 1 (64 KiB more), not the 1.2 MB
        expect(record.sentBytes).toBeLessThan(3 * (200 + 64 * 1024 + 1));
      } else {
        expect(record.deleted.sort()).toEqual([1, 3]);
      }
      // the account drains: the next run does the same, and is not a failure
      const again = await w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
      expect(again).toMatchObject({ outcome: 'success', counts: { oversized: 1 } });
    },
  );
});

describe('an IMAP folder above 150,000 messages', () => {
  let big: Dovecot;
  let bw: FetchWorld;
  beforeAll(async () => {
    big = await startDovecot({ users: 1, noTls: true });
    bw = await createFetchWorld(big);
  }, 60_000);
  afterAll(async () => {
    await bw?.close();
    await big?.stop();
  });

  it('is listed in UID SEARCH spans (one UID SEARCH ALL answer would pass the 1 MiB line limit) and fetched', async () => {
    const user = big.users[0]!;
    const count = 160_000;
    big.writeMessages(
      user,
      (function* () {
        for (let i = 1; i <= count; i++) yield `Subject: big folder ${i}\r\nMessage-ID: <big-${i}@test>\r\n\r\nx\r\n`;
      })(),
    );
    const id = await bw.account('IMAP', user);
    const outcome = await bw.runtime.service.fetchAccount({ accountId: id, trigger: 'manual', limit: 20 });
    expect(outcome.error).toBeNull();
    expect(outcome).toMatchObject({ outcome: 'success', counts: { fetched: 20, deleted: 20 } });
    expect(big.count(user)).toBe(count - 20);
  }, 240_000);
});

describe('GNU Mailutils imap4d: another IMAP server, without UIDPLUS', () => {
  let mu: MailutilsImap;
  let dir: string;
  // its own world with the default timeouts: every connection starts an imap4d process, which on
  // a loaded machine can take longer than the short greeting timeout of the worlds above
  let mw: FetchWorld;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mailduct-mailutils-'));
    mu = await startMailutilsImap(dir);
    mw = await createFetchWorld(odd);
  }, 120_000);
  afterAll(async () => {
    await mw?.close();
    await mu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves a message another client flagged \\Deleted, and expunges the stored ones once it may', async () => {
    const mail = (n: number) =>
      `From: customer@example.com\r\nTo: desk@example.com\r\nSubject: mailutils ${n}\r\nMessage-ID: <mailutils-${n}@example.com>\r\n\r\nbody ${n}\r\n`;
    mu.deliver([1, 2, 3].map((n) => ({ text: mail(n) })));
    mu.deliver([{ text: mail(4), deleted: true }]);
    // imap4d pre-authenticates: the account's user name and password are not asked for
    const id = (
      await mw.accounts.create(
        { type: 'IMAP', host: '127.0.0.1', port: mu.port, username: 'preauth', password: 'not-asked' },
        'test',
      )
    ).id;
    const first = await mw.runtime.service.fetchAccount({ accountId: id, trigger: 'manual', limit: 3 });
    expect(first.error).toBeNull();
    expect(first).toMatchObject({ outcome: 'success', counts: { fetched: 3, deleted: 0 } });
    expect(first.counts.warnings.join(' ')).toMatch(/no UIDPLUS and 1 other message/);
    expect(mu.count()).toBe(4);
    // the flag is taken back (by hand here): the next run expunges exactly the stored three
    for (const f of readdirSync(join(mu.maildir, 'cur')).filter((f) => f.endsWith(',T')))
      renameSync(join(mu.maildir, 'cur', f), join(mu.maildir, 'cur', f.slice(0, -1)));
    const second = await mw.runtime.service.fetchAccount({ accountId: id, trigger: 'manual', limit: 3 });
    expect(second).toMatchObject({
      outcome: 'success',
      counts: { fetched: 0, duplicates: 3, deleted: 3, warnings: [] },
    });
    expect(mu.count()).toBe(1);
    expect((await mw.messages(id)).map((m) => m.subject ?? '').sort()).toEqual([
      'mailutils 1',
      'mailutils 2',
      'mailutils 3',
    ]);
    const third = await mw.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(third).toMatchObject({ outcome: 'success', counts: { fetched: 1, deleted: 1 } });
    expect(mu.count()).toBe(0);
  });
});
