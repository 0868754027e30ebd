import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret, sendWebhook, signWebhook } from '@mailduct/core/webhooks';

// One delivery attempt against a real HTTP receiver on loopback: signed so that the Standard
// Webhooks verifier accepts it, internal addresses refused unless allowed, no redirects followed,
// a slow receiver timed out, at most 1 KiB of an answer kept.
interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}
let server: Server;
let base: string;
const received: Received[] = [];
let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(204).end();

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    answer(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const secret = newWebhookSecret();
const body = JSON.stringify({ type: 'ticket.dispatched', timestamp: new Date().toISOString(), data: { messageId: 1 } });
const signed = (id = 'evt_1') => signWebhook(secret, id, Math.floor(Date.now() / 1000), body);
const send = (url: string, extra: { allowPrivate?: boolean; timeoutMs?: number } = {}) =>
  sendWebhook({ url, body, headers: signed(), allowPrivate: true, ...extra });

describe('sending one webhook event', () => {
  it('posts the body signed, and a Standard Webhooks verifier accepts what arrived', async () => {
    answer = (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    const n = received.length;
    const record = await send(`${base}/hooks/mailduct?desk=1`);
    expect(record).toMatchObject({ result: { status: 200 }, responseExcerpt: 'ok' });
    expect(record.latencyMs).toBeGreaterThanOrEqual(0);
    const got = received[n]!;
    expect(got.path).toBe('/hooks/mailduct?desk=1');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.body).toBe(body);
    const headers = Object.fromEntries(Object.entries(got.headers).map(([k, v]) => [k, String(v)]));
    expect(new Webhook(secret).verify(got.body, headers)).toEqual(JSON.parse(body));
  });

  it('refuses loopback by address and by name unless private addresses are allowed', async () => {
    const n = received.length;
    const port = new URL(base).port;
    for (const url of [`${base}/h`, `http://localhost:${port}/h`]) {
      const record = await send(url, { allowPrivate: false });
      expect(record.result).toMatchObject({
        error: 'refused-address',
        message: expect.stringContaining('MAILDUCT_WEBHOOK_ALLOW_PRIVATE=true'),
      });
    }
    expect(received).toHaveLength(n);
  });

  it('does not follow a redirect', async () => {
    answer = (req, res) =>
      void (req.url === '/moved'
        ? res.writeHead(302, { location: `${base}/elsewhere` }).end()
        : res.writeHead(200).end());
    const n = received.length;
    expect((await send(`${base}/moved`)).result).toEqual({ status: 302, retryAfter: null });
    expect(received.slice(n).map((r) => r.path)).toEqual(['/moved']);
  });

  it('keeps Retry-After and only the first KiB of a long answer', async () => {
    answer = (_req, res) => void res.writeHead(429, { 'retry-after': '120' }).end('x'.repeat(50_000));
    const record = await send(`${base}/busy`);
    expect(record.result).toEqual({ status: 429, retryAfter: '120' });
    expect(record.responseExcerpt).toHaveLength(1024);
  });

  it('gives up on a receiver that does not answer in time, and says so', async () => {
    answer = () => undefined; // never answers
    const record = await send(`${base}/slow`, { timeoutMs: 300 });
    expect(record.result).toEqual({ error: 'timeout', message: 'no answer within 300 ms' });
    expect(record.latencyMs).toBeGreaterThanOrEqual(290);
  });

  it('reports a refused connection and a name that does not resolve', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect((await send(`http://127.0.0.1:${port}/h`)).result).toEqual({
      error: 'connection',
      message: `127.0.0.1:${port}: ECONNREFUSED`,
    });
    expect((await send('https://no-such-host.invalid/h')).result).toMatchObject({
      error: 'connection',
      message: expect.stringContaining('no-such-host.invalid does not resolve'),
    });
  });
});
