import { createServer } from 'node:http';

/**
 * Between Dovecot and the provider's introspection endpoint: passes every check through, except
 * for tokens it was told to deny, which it reports inactive. (Revoking an access token at
 * oidc-provider would revoke its whole grant, refresh tokens included.)
 */
export interface IntrospectionGate {
  url: string;
  deny(token: string): void;
  /** Token checks Dovecot asked for so far (one per bearer login). */
  readonly checks: number;
  close(): Promise<void>;
}

export async function startIntrospectionGate(target: string): Promise<IntrospectionGate> {
  const denied = new Set<string>();
  let checks = 0;
  const server = createServer(async (req, res) => {
    checks++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    res.setHeader('content-type', 'application/json');
    if (denied.has(new URLSearchParams(body).get('token') ?? '')) return void res.end('{"active":false}');
    const upstream = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
      body,
    });
    res.statusCode = upstream.status;
    res.end(await upstream.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/introspect`,
    deny: (token) => denied.add(token),
    get checks() {
      return checks;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
