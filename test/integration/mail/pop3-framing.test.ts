import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pop3Connection } from '@mailduct/core/mail';

// A server that answers RETR with a scripted list of raw chunks, each written separately
// (with a pause, so they arrive as separate reads), to exercise the multi-line framing.
let script: Buffer[] = [];
let server: net.Server;
let port: number;

beforeAll(async () => {
  server = net.createServer((s) => {
    s.write('+OK ready\r\n');
    s.on('data', async (d) => {
      if (!d.toString().startsWith('RETR')) return;
      for (const chunk of script) {
        s.write(chunk);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function retr(chunks: string[], maxBytes = 1024 * 1024): Promise<string> {
  script = chunks.map((c) => Buffer.from(c, 'latin1'));
  const conn = await Pop3Connection.open('127.0.0.1', port, { connect: 2000, greeting: 2000, command: 2000 }, null);
  try {
    expect((await conn.greeting()).ok).toBe(true);
    expect((await conn.command('RETR 1')).ok).toBe(true);
    return (await conn.readMultiline(maxBytes)).toString('latin1');
  } finally {
    conn.destroy();
  }
}

describe('POP3 multi-line framing (RFC 1939 §3)', () => {
  it('reads up to the terminating line and keeps the final CRLF of the message', async () => {
    expect(await retr(['+OK\r\nSubject: a\r\n\r\nbody\r\n.\r\n'])).toBe('Subject: a\r\n\r\nbody\r\n');
  });

  it('removes byte-stuffing: a leading ".." becomes "."', async () => {
    expect(await retr(['+OK\r\nA\r\n..hidden\r\n...\r\n.x\r\n.\r\n'])).toBe('A\r\n.hidden\r\n..\r\nx\r\n');
  });

  it('finds the terminator split over reads, at every position', async () => {
    const body = 'Subject: s\r\n\r\nline one\r\n..dots\r\n';
    const full = `+OK\r\n${body}.\r\n`;
    for (let cut = 5; cut < full.length; cut++) {
      expect(await retr([full.slice(0, cut), full.slice(cut)]), `cut at ${cut}`).toBe(
        'Subject: s\r\n\r\nline one\r\n.dots\r\n',
      );
    }
  });

  it('accepts bare LF line endings from a sloppy server', async () => {
    expect(await retr(['+OK\nSubject: a\n\nbody\n..x\n.\n'])).toBe('Subject: a\n\nbody\n.x\n');
  });

  it('reads an empty message', async () => {
    expect(await retr(['+OK\r\n.\r\n'])).toBe('');
  });

  it('refuses a response larger than the limit', async () => {
    await expect(retr([`+OK\r\n${'x'.repeat(5000)}\r\n.\r\n`], 1000)).rejects.toMatchObject({
      code: 'ResponseTooLarge',
    });
  });

  it('keeps what follows the terminator for the next response', async () => {
    script = [Buffer.from('+OK\r\nfirst\r\n.\r\n+OK second status\r\n')];
    const conn = await Pop3Connection.open('127.0.0.1', port, { connect: 2000, greeting: 2000, command: 2000 }, null);
    try {
      await conn.greeting();
      await conn.command('RETR 1');
      expect((await conn.readMultiline(1000)).toString()).toBe('first\r\n');
      expect(await conn.readStatus()).toEqual({ ok: true, text: 'second status' });
    } finally {
      conn.destroy();
    }
  });
});
