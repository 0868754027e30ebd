import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountType } from '@mailduct/core/accounts';
import { clientFor, type MailboxSettings, type RemoteMessage } from '@mailduct/core/mail';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { imapScript, startFakeServer } from '../../helpers/fake-mail-server.js';

let dc: Dovecot;
let plain: Dovecot;
beforeAll(async () => {
  [dc, plain] = await Promise.all([startDovecot({ users: 10 }), startDovecot({ users: 1, noTls: true })]);
});
afterAll(async () => Promise.all([dc?.stop(), plain?.stop()]));

const TYPES: AccountType[] = ['IMAP', 'IMAPS', 'IMAPTLS', 'POP3', 'POP3S', 'POP3TLS'];

function settings(
  server: Dovecot,
  type: AccountType,
  user: string,
  extra: Partial<MailboxSettings> = {},
): MailboxSettings {
  const port = {
    IMAP: server.imapPort,
    IMAPS: server.imapsPort,
    IMAPTLS: server.imapPort,
    POP3: server.pop3Port,
    POP3S: server.pop3sPort,
    POP3TLS: server.pop3Port,
  }[type];
  return {
    type,
    host: 'localhost',
    port,
    username: user,
    password: server.password,
    imapFolder: 'INBOX',
    tlsVerify: false,
    ...extra,
  };
}

describe.each(TYPES.map((t, i) => [t, i] as const))('%s client against Dovecot', (type, i) => {
  it('lists, downloads byte for byte, and deletes exactly what was committed', async () => {
    const user = dc.users[i]!;
    await dc.seed(user, 5, 3000, { prefix: type });
    const client = clientFor(settings(dc, type, user), { extraCa: dc.ca });
    await client.connect();
    const list = await client.list();
    expect(list).toHaveLength(5);
    expect(list.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    const [one] = await client.fetchMany([list[0]!], [1024 * 1024]);
    const raw = (one as { raw: Buffer }).raw;
    expect(raw.length).toBe(list[0]!.size); // Dovecot reports the CRLF size; we must get CRLF bytes
    expect(raw.toString()).toContain(`Subject: ${type} message 1`);
    const many = await client.fetchMany(
      list.slice(1),
      list.slice(1).map(() => 1024 * 1024),
    );
    expect(
      many
        .map((d) => (d && 'raw' in d ? d.raw.toString() : String(d)))
        .map((t) => /Subject: .* message (\d+)/.exec(t)?.[1]),
    ).toEqual(['2', '3', '4', '5']);
    await client.markHandled(list.slice(0, 2));
    await client.commit();
    await client.close();
    expect(dc.count(user)).toBe(3);
  });
});

describe('IMAP commit', () => {
  it('flags the committed UIDs with STORE +FLAGS.SILENT and expunges exactly those', async () => {
    const user = dc.users[9]!;
    await dc.seed(user, 4, 2000);
    const conversation: string[] = [];
    const client = clientFor(settings(dc, 'IMAP', user), {
      trace: (direction, line) => conversation.push(`${direction}: ${line}`),
    });
    await client.connect();
    const list = await client.list();
    await client.markHandled([list[0]!, list[2]!]);
    await client.commit();
    await client.close();
    const uids = `${list[0]!.id},${list[2]!.id}`;
    expect(
      conversation.some((l) => l.startsWith('C: ') && l.includes(`UID STORE ${uids} +FLAGS.SILENT (\\Deleted)`)),
    ).toBe(true);
    expect(conversation.some((l) => l.startsWith('C: ') && l.includes(`UID EXPUNGE ${uids}`))).toBe(true);
    // silent, and no CONDSTORE enabled: no FETCH comes back for a flagged message (with CONDSTORE,
    // a server answers even a .SILENT STORE with each message's new MODSEQ, RFC 7162 §3.1)
    const store = conversation.findIndex((l) => /^C: \S+ UID STORE/.test(l));
    expect(conversation.slice(store).filter((l) => l.startsWith('S: ') && /FETCH \(/.test(l))).toEqual([]);
    expect(conversation.filter((l) => /^C: \S+ ENABLE/.test(l))).toEqual([]);
    expect(dc.count(user)).toBe(2);
  });

  it('downloads without a MODSEQ in the answers: no extension is enabled', async () => {
    const user = dc.users[9]!;
    await dc.seed(user, 3, 2000, { prefix: 'modseq' });
    const conversation: string[] = [];
    const client = clientFor(settings(dc, 'IMAP', user), {
      trace: (direction, line) => conversation.push(`${direction}: ${line}`),
    });
    await client.connect();
    const list = await client.list();
    const raws = await client.fetchMany(
      list,
      list.map(() => 1024 * 1024),
    );
    await client.close();
    expect(raws.filter((d) => d && 'raw' in d)).toHaveLength(list.length);
    const answers = conversation.filter((l) => /^S: \* \d+ FETCH \(.*BODY\[\]/.test(l));
    expect(answers).toHaveLength(list.length);
    expect(answers.filter((l) => l.includes('MODSEQ'))).toEqual([]);
  });
});

describe('IMAP listing with exactAbove', () => {
  it('asks the server for sizes only above the bound, keeping ids and server order', async () => {
    const user = dc.users[8]!;
    await dc.seed(user, 3, 2000, { prefix: 'small' });
    await dc.seed(user, 2, 9000, { prefix: 'large' });
    await dc.seed(user, 2, 2000, { prefix: 'later' });
    const client = clientFor(settings(dc, 'IMAP', user));
    await client.connect();
    const exact = await client.list();
    const bounded = await client.list({ exactAbove: 4096 });
    await client.close();
    expect(exact.filter((m) => m.size > 4096)).toHaveLength(2);
    expect(bounded.map((m) => m.id)).toEqual(exact.map((m) => m.id));
    expect(bounded.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(bounded.map((m) => m.size)).toEqual(exact.map((m) => (m.size > 4096 ? m.size : 4096)));
  });

  it('lists the long way when SEARCH disagrees with EXISTS (fault injection)', async () => {
    const base = imapScript({ size: 777 });
    // A server that answers UID SEARCH without any UID while announcing one message.
    const fake = await startFakeServer({
      onConnect: base.onConnect,
      onLine: (s, line) =>
        /^\S+ UID SEARCH /i.test(line) ? s.write(`${line.split(' ')[0]} OK searched\r\n`) : base.onLine(s, line),
    });
    try {
      const client = clientFor({
        type: 'IMAP',
        host: '127.0.0.1',
        port: fake.port,
        username: 'u',
        password: 'p',
        imapFolder: 'INBOX',
        tlsVerify: false,
      });
      await client.connect();
      expect(await client.list({ exactAbove: 4096 })).toEqual([{ id: '1', seq: 1, size: 777 }]);
      await client.close();
    } finally {
      await fake.close();
    }
  });
});

describe('TLS and authentication', () => {
  it('verifies certificates by default: the self-signed test certificate is refused', async () => {
    for (const type of ['IMAPS', 'POP3S', 'IMAPTLS', 'POP3TLS'] as const) {
      const client = clientFor(settings(dc, type, dc.users[6]!, { tlsVerify: true }));
      await expect(client.connect(), type).rejects.toMatchObject({ code: 'MAIL_TLS_FAILED' });
      await client.close();
    }
  });

  it('accepts the certificate with its CA as an extra CA', async () => {
    for (const type of ['IMAPS', 'POP3TLS'] as const) {
      const client = clientFor(settings(dc, type, dc.users[6]!, { tlsVerify: true }), { extraCa: dc.ca });
      await client.connect();
      await client.close();
    }
  });

  it('refuses IMAPTLS and POP3TLS when the server offers no STARTTLS/STLS', async () => {
    for (const type of ['IMAPTLS', 'POP3TLS'] as const) {
      const client = clientFor(settings(plain, type, plain.users[0]!));
      await expect(client.connect(), type).rejects.toMatchObject({ code: 'MAIL_STARTTLS_UNAVAILABLE' });
      await client.close();
    }
  });

  it('classifies a wrong password as auth, without the password in the message', async () => {
    // In parallel: Dovecot delays every failed login by a few seconds.
    await Promise.all(
      TYPES.map(async (type) => {
        const client = clientFor(settings(dc, type, dc.users[7]!, { password: 'Wr0ng-Secret' }));
        const err = await client.connect().then(
          () => null,
          (e: Error) => e,
        );
        expect(err, type).toMatchObject({ code: 'MAIL_AUTH_REFUSED', errorClass: 'auth' });
        expect(err!.message).not.toContain('Wr0ng-Secret');
        await client.close();
      }),
    );
  });

  it('names a missing IMAP folder', async () => {
    const client = clientFor(settings(dc, 'IMAP', dc.users[7]!, { imapFolder: 'No/Such/Folder' }));
    await expect(client.connect()).rejects.toMatchObject({
      code: 'MAIL_FOLDER_MISSING',
      message: expect.stringContaining('"No/Such/Folder"'),
    });
    await client.close();
  });

  it('classifies a refused connection as network', async () => {
    const client = clientFor({ ...settings(dc, 'POP3', 'x'), port: 1 });
    await expect(client.connect()).rejects.toMatchObject({ code: 'MAIL_NETWORK', errorClass: 'network' });
  });

  it('POP3 deletes nothing when the session ends without QUIT', async () => {
    const user = dc.users[6]!;
    await dc.seed(user, 3, 1000);
    const client = clientFor(settings(dc, 'POP3', user));
    await client.connect();
    const list: RemoteMessage[] = await client.list();
    await client.markHandled(list);
    await client.close();
    expect(dc.count(user)).toBe(3);
  });
});
