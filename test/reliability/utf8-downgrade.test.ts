import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import {
  imapMailboxScript,
  pop3MailboxScript,
  startFakeServer,
  type FakeServer,
  type MailboxRecord,
} from '../helpers/fake-mail-server.js';
import { createFetchWorld, type FetchWorld } from '../helpers/fetch-world.js';

// Servers that would have made mailduct store a generated notice and delete the real mail.
// Dovecot 2.3 offers neither POP3 UTF8 nor IMAP UTF8=ACCEPT, so these are scripted servers
// (test/helpers/fake-mail-server.ts) that behave like Courier.

let dc: Dovecot;
let w: FetchWorld;
const servers: FakeServer[] = [];

beforeAll(async () => {
  dc = await startDovecot({ users: 1, noTls: true });
  w = await createFetchWorld(dc, {
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
  await dc?.stop();
});

/** An account on the scripted server, fetched once successfully; its one stored row. */
async function fetchTheOneMail(type: 'IMAP' | 'POP3', server: FakeServer) {
  servers.push(server);
  const username = `utf8-${type.toLowerCase()}`;
  const account = await w.accounts.create(
    { type, host: '127.0.0.1', port: server.port, username, password: 'utf8-password' },
    'test',
  );
  expect(await w.runtime.service.fetchAccount({ accountId: account.id, trigger: 'manual' })).toMatchObject({
    outcome: 'success',
    counts: { fetched: 1 },
  });
  const [row] = await w.runtime.prisma.inboundMessage.findMany({ where: { accountId: account.id } });
  return row!;
}

describe('servers that downgrade mail with raw UTF-8 headers unless the client takes UTF-8', () => {
  // Like Courier: a client that has not said it takes UTF-8 (POP3 UTF8, RFC 6856; IMAP ENABLE
  // UTF8=ACCEPT, RFC 6855) gets a generated notice in place of such a mail, with a new MIME
  // boundary every session. Storing that and deleting the original would lose the mail.
  const original =
    'From: Jürgen Müller <juergen@example.de>\r\nSubject: Grüße aus Köln\r\nMessage-ID: <utf8@example.de>\r\n\r\nHallo\r\n';
  const notice = () =>
    `Subject: message not available\r\nContent-Type: multipart/mixed; boundary="b${Math.random()}"\r\n\r\nThis message contains 8-bit headers.\r\n`;

  it('POP3: sends UTF8 when CAPA offers it, and stores the mail as it is', async () => {
    let utf8 = false;
    const record: MailboxRecord = { flagged: [], expunged: [], deleted: [], sentBytes: 0 };
    const message = {
      listed: Buffer.byteLength(original),
      get body() {
        return utf8 ? original : notice();
      },
    };
    const script = pop3MailboxScript([message], record, ['USER', 'UIDL', 'UTF8']);
    const server = await startFakeServer({
      onConnect: script.onConnect,
      onLine: (s, line) =>
        line.toUpperCase() === 'UTF8' ? ((utf8 = true), s.write('+OK UTF8 enabled\r\n')) : script.onLine(s, line),
    });
    const row = await fetchTheOneMail('POP3', server);
    expect(Buffer.from(row.raw!).toString('utf8').trimEnd()).toBe(original.trimEnd());
    expect(row.subject).toBe('Grüße aus Köln');
  });

  it('IMAP: enables UTF8=ACCEPT when the server offers it, and stores the mail as it is', async () => {
    let enabled = false;
    const record: MailboxRecord = { flagged: [], expunged: [], deleted: [], sentBytes: 0 };
    const message = {
      listed: Buffer.byteLength(original),
      get body() {
        return enabled ? original : notice();
      },
    };
    const script = imapMailboxScript([message], record, 'IMAP4rev1 UIDPLUS ENABLE UTF8=ACCEPT');
    const server = await startFakeServer({
      onConnect: script.onConnect,
      onLine: (s, line) => {
        const [tag, command] = line.split(' ');
        if (command?.toUpperCase() === 'ENABLE' && /UTF8=ACCEPT/i.test(line)) {
          enabled = true;
          s.write(`* ENABLED UTF8=ACCEPT\r\n${tag} OK enabled\r\n`);
        } else script.onLine(s, line);
      },
    });
    const row = await fetchTheOneMail('IMAP', server);
    expect(Buffer.from(row.raw!).toString('utf8')).toBe(original);
    expect(record.expunged).toEqual([1]);
  });
});
