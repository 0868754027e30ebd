import net from 'node:net';

/** A TCP proxy the test controls: delay, refuse, cut every connection, or cut one mid-stream. */
export interface TcpProxy {
  port: number;
  /** Delay every chunk by this many ms in both directions (0: none). */
  delay(ms: number): void;
  /** Refuse (close at once) new connections while true. */
  refuse(on: boolean): void;
  /** Destroy every open connection now. */
  cutAll(): void;
  /** Close a connection once the server has sent this many bytes through it (null: never). */
  cutAfterServerBytes(bytes: number | null): void;
  connections(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
  listenHost = '127.0.0.1',
): Promise<TcpProxy> {
  let delayMs = 0;
  let refusing = false;
  let cutAfter: number | null = null;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = net.connect(targetPort, targetHost);
    open.add(client).add(upstream);
    let fromServer = 0;
    const forward = (from: net.Socket, to: net.Socket, isServer: boolean) => {
      from.on('data', (chunk: Buffer) => {
        let piece = chunk;
        let cut = false;
        if (isServer && cutAfter !== null) {
          const room = cutAfter - fromServer;
          if (room <= chunk.length) {
            piece = chunk.subarray(0, Math.max(0, room));
            cut = true;
          }
          fromServer += piece.length;
        }
        const send = () => {
          if (to.writable && piece.length > 0) to.write(piece);
          if (cut) {
            client.destroy();
            upstream.destroy();
          }
        };
        if (delayMs > 0) setTimeout(send, delayMs);
        else send();
      });
      from.on('end', () => (delayMs > 0 ? setTimeout(() => to.end(), delayMs) : to.end()));
    };
    forward(client, upstream, false);
    forward(upstream, client, true);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, listenHost, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    delay: (ms) => (delayMs = ms),
    refuse: (on) => (refusing = on),
    cutAll: () => {
      for (const s of open) s.destroy();
      open.clear();
    },
    cutAfterServerBytes: (bytes) => (cutAfter = bytes),
    connections: () => open.size / 2,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
