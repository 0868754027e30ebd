import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got, its body read whole. */
export interface ReceivedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A loopback HTTP server that keeps every request it gets (a webhook receiver). */
export interface Receiver {
  /** http://127.0.0.1:<port> */
  base: string;
  got: ReceivedRequest[];
  close(): Promise<void>;
}

/** Start a receiver; `answer` answers each request after it is kept (default: 204). */
export async function startReceiver(
  answer: (request: ReceivedRequest, res: ServerResponse) => void = (_, res) => void res.writeHead(204).end(),
): Promise<Receiver> {
  const got: ReceivedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const request = {
      path: req.url ?? '',
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: Buffer.concat(chunks).toString('utf8'),
    };
    got.push(request);
    answer(request, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
