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
export function imapScript(o: { greeting?: (s: net.Socket) => void; onSelect?: (s: net.Socket, tag: string) => boolean; onFetchBody?: (s: net.Socket, tag: string) => void; size?: number }): FakeServerScript {
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
      }
      else if (cmd === 'FETCH' || cmd === 'UID') s.write(`* 1 FETCH (UID 1 RFC822.SIZE ${o.size ?? 100})\r\n${tag} OK done\r\n`);
      else if (cmd === 'LOGOUT') s.end(`* BYE\r\n${tag} OK bye\r\n`);
      else s.write(`${tag} OK\r\n`);
    },
  };
}

/** A minimal POP3 conversation; `onRetr` misbehaves. */
export function pop3Script(o: { greeting?: (s: net.Socket) => void; listSize?: number; onRetr?: (s: net.Socket) => void }): FakeServerScript {
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
