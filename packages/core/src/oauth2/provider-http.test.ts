import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailHostPolicy } from '../mail/index.js';
import { providerFetch } from './provider-http.js';

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/big') return void res.end('x'.repeat(2 * 1024 * 1024));
    if (req.url === '/moved') return void res.writeHead(302, { location: 'http://example.com/' }).end();
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const post = { method: 'POST', headers: {}, body: 'a=b' };

describe('providerFetch', () => {
  it('connects where the policy allows, by name or address', async () => {
    const allowed = providerFetch(new MailHostPolicy(['127.0.0.0/8']));
    expect(await (await allowed(`http://localhost:${port}/token`, post)).json()).toEqual({ ok: true });
    expect((await allowed(`http://127.0.0.1:${port}/token`, post)).status).toBe(200);
  });

  it('refuses a name resolving to an internal address, and such an address, at connect time', async () => {
    const strict = providerFetch(new MailHostPolicy());
    await expect(strict(`http://localhost:${port}/token`, post)).rejects.toMatchObject({ code: 'MAIL_HOST_DENIED' });
    await expect(strict(`http://127.0.0.1:${port}/token`, post)).rejects.toMatchObject({ code: 'MAIL_HOST_DENIED' });
  });

  it('follows no redirect and reads no answer beyond 1 MiB', async () => {
    const allowed = providerFetch(new MailHostPolicy(['127.0.0.0/8']));
    const moved = await allowed(`http://127.0.0.1:${port}/moved`, post);
    expect(moved.status).toBe(302);
    await expect(allowed(`http://127.0.0.1:${port}/big`, post)).rejects.toMatchObject({
      code: 'OAUTH2_PROVIDER_REFUSED',
    });
  });
});
