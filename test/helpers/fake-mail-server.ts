import net from 'node:net';

/**
 * A scripted, misbehaving mail server for fault injection (real Dovecot is used everywhere
 * else). `onConnect` writes the greeting; `onLine` answers each client line. Both get the socket.
 */
export interface FakeServerScript {
  onConnect(socket: net.Socket): void;
  onLine(socket: net.Socket, line: string): void;
}

export interface FakeServer {
  port: number;
  close(): Promise<void>;
}

export async function startFakeServer(script: FakeServerScript): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (d) => {
      buffered += d.toString('latin1');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).replace(/\r$/, '');
        buffered = buffered.slice(nl + 1);
        script.onLine(socket, line);
      }
    });
    script.onConnect(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Write `total` bytes of filler without end, in chunks, as long as the client reads. */
export function flood(socket: net.Socket, total = Number.POSITIVE_INFINITY, chunk = 'x'.repeat(64 * 1024)): void {
  let sent = 0;
  const pump = () => {
    while (sent < total && !socket.destroyed) {
      sent += chunk.length;
      if (!socket.write(chunk)) return void socket.once('drain', pump);
    }
  };
  pump();
}

/** A minimal IMAP conversation up to a selected INBOX with one message of `size` bytes; `onFetchBody` misbehaves. */
export function imapScript(o: {
  greeting?: (s: net.Socket) => void;
  onSelect?: (s: net.Socket, tag: string) => boolean;
  onFetchBody?: (s: net.Socket, tag: string) => void;
  size?: number;
}): FakeServerScript {
  return {
    onConnect: (s) => (o.greeting ? o.greeting(s) : s.write('* OK [CAPABILITY IMAP4rev1 UIDPLUS] fake ready\r\n')),
    onLine: (s, line) => {
      const [tag, command = ''] = line.split(' ');
      const cmd = command.toUpperCase();
      if (cmd === 'CAPABILITY') s.write(`* CAPABILITY IMAP4rev1 UIDPLUS\r\n${tag} OK done\r\n`);
      else if (cmd === 'LOGIN') s.write(`${tag} OK logged in\r\n`);
      else if (cmd === 'SELECT' || cmd === 'EXAMINE') {
        if (o.onSelect?.(s, tag!)) return;
        s.write(`* 1 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 2] ok\r\n${tag} OK [READ-WRITE] selected\r\n`);
      } else if (cmd === 'UID' && /BODY/i.test(line) && o.onFetchBody) o.onFetchBody(s, tag!);
      else if (cmd === 'UID' && /SEARCH/i.test(line)) {
        const larger = /LARGER (\d+)/i.exec(line);
        s.write(`* SEARCH${!larger || (o.size ?? 100) > Number(larger[1]) ? ' 1' : ''}\r\n${tag} OK done\r\n`);
      } else if (cmd === 'FETCH' || cmd === 'UID')
        s.write(`* 1 FETCH (UID 1 RFC822.SIZE ${o.size ?? 100})\r\n${tag} OK done\r\n`);
      else if (cmd === 'LOGOUT') s.end(`* BYE\r\n${tag} OK bye\r\n`);
      else s.write(`${tag} OK\r\n`);
    },
  };
}

/** A minimal POP3 conversation; `onRetr` misbehaves. */
export function pop3Script(o: {
  greeting?: (s: net.Socket) => void;
  listSize?: number;
  onRetr?: (s: net.Socket) => void;
}): FakeServerScript {
  return {
    onConnect: (s) => (o.greeting ? o.greeting(s) : s.write('+OK fake POP3 ready\r\n')),
    onLine: (s, line) => {
      const cmd = line.split(' ')[0]!.toUpperCase();
      if (cmd === 'CAPA') s.write('+OK\r\nUSER\r\nUIDL\r\n.\r\n');
      else if (cmd === 'USER' || cmd === 'PASS') s.write('+OK\r\n');
      else if (cmd === 'LIST') s.write(`+OK\r\n1 ${o.listSize ?? 100}\r\n.\r\n`);
      else if (cmd === 'UIDL') s.write('+OK\r\n1 uid-1\r\n.\r\n');
      else if (cmd === 'RETR' && o.onRetr) o.onRetr(s);
      else if (cmd === 'QUIT') s.end('+OK bye\r\n');
      else s.write('+OK\r\n');
    },
  };
}

/** A message of a scripted mailbox: what the server lists as its size, and what it sends. */
export interface ScriptedMessage {
  listed: number;
  body: string;
}

/** What a scripted mailbox was asked: the UIDs stored/expunged (IMAP), the numbers deleted (POP3), and the body bytes it sent. */
export interface MailboxRecord {
  flagged: number[];
  expunged: number[];
  deleted: number[];
  sentBytes: number;
}

/**
 * An IMAP server with UIDPLUS whose mailbox lists `messages` (UIDs 1..n) with the sizes given and
 * sends their real bodies, honouring a partial range <0.n> like a correct server: a server whose
 * sizes are wrong, not one that breaks the protocol.
 */
export function imapMailboxScript(
  messages: ScriptedMessage[],
  record: MailboxRecord,
  capabilities = 'IMAP4rev1 UIDPLUS',
): FakeServerScript {
  return {
    onConnect: (s) => s.write(`* OK [CAPABILITY ${capabilities}] fake ready\r\n`),
    onLine: (s, line) => {
      const [tag, command = '', ...rest] = line.split(' ');
      const args = rest.join(' ');
      const cmd = command.toUpperCase();
      if (cmd === 'CAPABILITY') s.write(`* CAPABILITY ${capabilities}\r\n${tag} OK done\r\n`);
      else if (cmd === 'LOGIN') s.write(`${tag} OK logged in\r\n`);
      else if (cmd === 'SELECT' || cmd === 'EXAMINE')
        s.write(
          `* ${messages.length} EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT ${messages.length + 1}] ok\r\n${tag} OK [READ-WRITE] selected\r\n`,
        );
      else if (cmd === 'LOGOUT') s.end(`* BYE\r\n${tag} OK bye\r\n`);
      else if (cmd !== 'UID') s.write(`${tag} OK\r\n`);
      else imapUidCommand(s, tag!, args, messages, record);
    },
  };
}

function imapUidCommand(
  s: net.Socket,
  tag: string,
  args: string,
  messages: ScriptedMessage[],
  record: MailboxRecord,
): void {
  const [sub = '', set = ''] = args.split(' ');
  const uids = set.split(',').flatMap((part) => {
    const [a, b] = part.split(':');
    const from = Number(a);
    const to = b === undefined ? from : b === '*' ? messages.length : Number(b);
    return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  });
  const upper = sub.toUpperCase();
  if (upper === 'SEARCH') {
    const larger = /LARGER (\d+)/i.exec(args);
    const hits = messages.map((m, i) => ({ uid: i + 1, m })).filter(({ m }) => !larger || m.listed > Number(larger[1]));
    s.write(`* SEARCH ${hits.map((h) => h.uid).join(' ')}\r\n${tag} OK done\r\n`);
  } else if (upper === 'FETCH' && /BODY/i.test(args)) {
    const max = Number(/<0\.(\d+)>/.exec(args)?.[1] ?? Number.MAX_SAFE_INTEGER);
    for (const uid of uids) {
      const body = Buffer.from(messages[uid - 1]!.body).subarray(0, max);
      record.sentBytes += body.length;
      s.write(`* ${uid} FETCH (UID ${uid} BODY[]<0> {${body.length}}\r\n`);
      s.write(body);
      s.write(')\r\n');
    }
    s.write(`${tag} OK done\r\n`);
  } else if (upper === 'FETCH') {
    for (const uid of uids) s.write(`* ${uid} FETCH (UID ${uid} RFC822.SIZE ${messages[uid - 1]!.listed})\r\n`);
    s.write(`${tag} OK done\r\n`);
  } else if (upper === 'STORE') {
    record.flagged.push(...uids);
    s.write(`${tag} OK done\r\n`);
  } else if (upper === 'EXPUNGE') {
    record.expunged.push(...uids);
    s.write(`${tag} OK done\r\n`);
  } else s.write(`${tag} OK\r\n`);
}

/** A POP3 server listing `messages` with the sizes given and sending their real bodies. */
export function pop3MailboxScript(
  messages: ScriptedMessage[],
  record: MailboxRecord,
  capabilities = ['USER', 'UIDL'],
): FakeServerScript {
  const pending: number[] = [];
  return {
    onConnect: (s) => s.write('+OK fake POP3 ready\r\n'),
    onLine: (s, line) => {
      const [command = '', arg] = line.split(' ');
      const cmd = command.toUpperCase();
      if (cmd === 'CAPA') s.write(`+OK\r\n${capabilities.join('\r\n')}\r\n.\r\n`);
      else if (cmd === 'LIST') s.write(`+OK\r\n${messages.map((m, i) => `${i + 1} ${m.listed}\r\n`).join('')}.\r\n`);
      else if (cmd === 'UIDL') s.write(`+OK\r\n${messages.map((_, i) => `${i + 1} uid-${i + 1}\r\n`).join('')}.\r\n`);
      else if (cmd === 'RETR') {
        const body = messages[Number(arg) - 1]!.body;
        record.sentBytes += body.length;
        s.write(`+OK\r\n${body.replace(/^\./gm, '..')}\r\n.\r\n`);
      } else if (cmd === 'DELE') {
        pending.push(Number(arg));
        s.write('+OK\r\n');
      } else if (cmd === 'QUIT') {
        record.deleted.push(...pending.splice(0));
        s.end('+OK bye\r\n');
      } else s.write('+OK\r\n');
    },
  };
}
