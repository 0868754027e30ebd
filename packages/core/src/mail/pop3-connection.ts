import net from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';
import { serverExcerpt } from './classify-mail-error.js';
import type { Downloaded, MailTimeouts, ProtocolTrace } from './mailbox-client.js';

const MAX_STATUS_LINE = 64 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

/** A POP3 server answer: `+OK ...` or `-ERR ...`. */
export interface Pop3Status {
  ok: boolean;
  text: string;
}

/** An error from the POP3 layer, with a code the classifier understands. */
export function pop3Error(message: string, props: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), props);
}

/**
 * The POP3 wire protocol (RFC 1939): status lines, dot-terminated multi-line responses with
 * byte-stuffing removed, STLS upgrade (RFC 2595). Incoming data is queued as chunks and read
 * by one reader at a time, so a 32 MiB RETR is copied once, not re-buffered per chunk.
 */
export class Pop3Connection {
  private queue: Buffer[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;

  private constructor(
    private socket: net.Socket,
    private readonly timeouts: MailTimeouts,
    private readonly trace: ProtocolTrace | undefined,
  ) {
    this.attach(socket);
  }

  /** Connect (with implicit TLS when `tlsOptions` is given) and wait for the socket to be ready. */
  static open(
    host: string,
    port: number,
    timeouts: MailTimeouts,
    tlsOptions: ConnectionOptions | null,
    trace?: ProtocolTrace,
  ): Promise<Pop3Connection> {
    return new Promise((resolve, reject) => {
      const socket = tlsOptions ? tls.connect({ host, port, ...tlsOptions }) : net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          pop3Error(`no connection to ${host}:${port} within ${timeouts.connect} ms`, { code: 'CONNECT_TIMEOUT' }),
        );
      }, timeouts.connect);
      socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new Pop3Connection(socket, timeouts, trace));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Read the server greeting (its own, shorter timeout). */
  async greeting(): Promise<Pop3Status> {
    this.socket.setTimeout(this.timeouts.greeting);
    try {
      return await this.readStatus();
    } finally {
      this.socket.setTimeout(this.timeouts.command);
    }
  }

  /** Send one command line; `shown` replaces it in the trace (for PASS). */
  write(line: string, shown = line): void {
    this.trace?.('C', shown);
    this.socket.write(`${line}\r\n`);
  }

  /** Send a command and read its status line. */
  async command(line: string, shown = line): Promise<Pop3Status> {
    this.write(line, shown);
    return this.readStatus();
  }

  /**
   * A SASL exchange (RFC 5034) without an initial response, so a long bearer token never makes
   * the command line exceed 255 octets: `AUTH <mechanism>`, the server's empty challenge, the
   * response (`shown` masked in the trace); a second challenge carries the server's error, which
   * `abort` answers before the final -ERR.
   */
  async authenticate(mechanism: string, response: string, abort: string): Promise<Pop3Status> {
    this.write(`AUTH ${mechanism}`);
    for (let challenge = 0; ; challenge++) {
      const line = await this.readLine();
      this.trace?.('S', line);
      if (line.startsWith('+OK')) return { ok: true, text: line.slice(3).trim() };
      if (line.startsWith('-ERR')) return { ok: false, text: line.slice(4).trim() };
      if (!line.startsWith('+') || challenge > 1)
        throw pop3Error(`unexpected POP3 response: ${serverExcerpt(line)}`, { code: 'InvalidResponse' });
      if (challenge === 0) this.write(response, '********');
      else this.write(abort, '(end of the exchange)');
    }
  }

  /** Read one status line. */
  async readStatus(): Promise<Pop3Status> {
    const line = await this.readLine();
    this.trace?.('S', line);
    if (line.startsWith('+OK')) return { ok: true, text: line.slice(3).trim() };
    if (line.startsWith('-ERR')) return { ok: false, text: line.slice(4).trim() };
    throw pop3Error(`unexpected POP3 response: ${serverExcerpt(line)}`, { code: 'InvalidResponse' });
  }

  /** Read a multi-line body up to its terminating "." line, un-stuffed; refuses more than maxBytes. */
  async readMultiline(maxBytes: number): Promise<Buffer> {
    const body = await this.readBody(maxBytes, maxBytes);
    if ('raw' in body) return body.raw;
    throw pop3Error(`response exceeds ${maxBytes} bytes`, { code: 'ResponseTooLarge' });
  }

  /**
   * Read a multi-line body, keeping at most `keep` bytes: a longer one is read to its end and
   * dropped (`tooLarge`), so the session goes on. One longer than `maxBytes` fails the session.
   */
  async readBody(keep: number, maxBytes: number): Promise<Downloaded> {
    const parts: Buffer[] = [];
    let total = 0;
    let atLineStart = true;
    // 1: a "." at a line start (dropped: stuffing or terminator); 2: ".\r" with the "\r" held back,
    // because ".\r\n" may be split over two reads.
    let dot: 0 | 1 | 2 = 0;
    const take = (piece: Buffer) => {
      if (piece.length === 0) return;
      total += piece.length;
      if (total > maxBytes) throw pop3Error(`response exceeds ${maxBytes} bytes`, { code: 'ResponseTooLarge' });
      if (total <= keep) parts.push(piece);
      else parts.length = 0;
    };
    const end = (chunk: Buffer, rest: number): Downloaded => {
      // Everything before the terminator line was taken already; keep what follows it for later.
      if (rest < chunk.length) this.queue.unshift(chunk.subarray(rest));
      this.trace?.('S', `(${total} bytes)`);
      if (total > keep) return { tooLarge: total };
      return { raw: parts.length === 1 ? parts[0]! : Buffer.concat(parts, total) };
    };
    for (;;) {
      const chunk = await this.nextChunk();
      let start = 0;
      for (let i = 0; i < chunk.length;) {
        const b = chunk[i]!;
        if (dot === 1) {
          if (b === LF) return end(chunk, i + 1);
          if (b === CR) {
            dot = 2;
            start = i + 1;
            i++;
            continue;
          }
          dot = 0; // a stuffed dot: it stays dropped, the rest of the line is content
        } else if (dot === 2) {
          if (b === LF) return end(chunk, i + 1);
          take(Buffer.from([CR])); // ".\r" not followed by "\n": the "\r" was content
          dot = 0;
        } else if (atLineStart && b === DOT) {
          take(chunk.subarray(start, i));
          start = i + 1;
          dot = 1;
          atLineStart = false;
          i++;
          continue;
        }
        const nl = chunk.indexOf(LF, i);
        atLineStart = nl !== -1;
        i = nl === -1 ? chunk.length : nl + 1;
      }
      take(chunk.subarray(start));
    }
  }

  /** Upgrade this connection to TLS (after a +OK to STLS). */
  async startTls(options: ConnectionOptions): Promise<void> {
    if (this.queue.length > 0)
      throw pop3Error('server sent data before the TLS handshake (STARTTLS injection?)', {
        code: 'STARTTLS_INJECTION',
        tlsFailed: true,
      });
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('timeout');
    plain.removeAllListeners('error');
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: plain, ...options });
      const timer = setTimeout(() => {
        s.destroy();
        reject(pop3Error('TLS handshake timed out', { code: 'UPGRADE_TIMEOUT' }));
      }, this.timeouts.connect);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    this.socket = secure;
    this.attach(secure);
  }

  /** Close the socket at once. */
  destroy(): void {
    this.socket.destroy();
  }

  private async readLine(): Promise<string> {
    const parts: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = await this.nextChunk();
      const nl = chunk.indexOf(LF);
      if (nl === -1) {
        parts.push(chunk);
        length += chunk.length;
        if (length > MAX_STATUS_LINE)
          throw pop3Error(`status line longer than ${MAX_STATUS_LINE} bytes`, { code: 'LineTooLarge' });
        continue;
      }
      parts.push(chunk.subarray(0, nl));
      if (nl + 1 < chunk.length) this.queue.unshift(chunk.subarray(nl + 1));
      return Buffer.concat(parts).toString('utf8').replace(/\r$/, '');
    }
  }

  private async nextChunk(): Promise<Buffer> {
    while (this.queue.length === 0) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.queue.shift()!;
  }

  private attach(socket: net.Socket): void {
    const wake = () => {
      const w = this.wake;
      this.wake = null;
      w?.();
    };
    socket.setTimeout(this.timeouts.command);
    socket.on('data', (chunk: Buffer) => {
      this.queue.push(chunk);
      wake();
    });
    socket.on('timeout', () => {
      this.failure ??= pop3Error(`no answer from the server within ${this.timeouts.command} ms`, { code: 'ETIMEOUT' });
      socket.destroy();
      wake();
    });
    socket.on('error', (err) => {
      this.failure ??= err;
      wake();
    });
    socket.on('close', () => {
      this.failure ??= pop3Error('the server closed the connection', { code: 'EConnectionClosed' });
      wake();
    });
  }
}
