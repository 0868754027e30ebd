import { lookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { isMailductError, MailductError } from '../errors/index.js';
import type { MailHostPolicy } from '../mail/index.js';

/** No answer of a provider is read beyond this: token and discovery responses are a few KiB. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The fetch every request to an OAuth2 provider goes through (I/O): the address a host name
 * resolves to is checked against the operator's host policy (MAILDUCT_ALLOWED_MAIL_HOSTS /
 * _DENIED_: a provider URL an admin typed cannot reach internal addresses unless allowed) inside
 * the connection's own look-up, so the connection goes to the address checked and a name that
 * resolves elsewhere a moment later (DNS rebinding) does not get past it. Redirects are not
 * followed; the answer is read to at most 1 MiB.
 */
export function providerFetch(policy: MailHostPolicy | undefined) {
  const dispatcher = policy ? checkedAgent(policy) : undefined;
  return async (url: string, options: RequestInit): Promise<Response> => {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    // An address in the URL is connected to without a look-up: checked here instead.
    if (policy && isIP(host) !== 0) deny(policy, host, host);
    let res;
    try {
      res = await undiciFetch(url, { ...(options as object), redirect: 'manual', dispatcher });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      throw isMailductError(cause) ? cause : err;
    }
    return new Response(await boundedBody(res.body), {
      status: res.status,
      statusText: res.statusText,
      headers: new Headers([...res.headers]),
    });
  };
}

function checkedAgent(policy: MailHostPolicy): Agent {
  return new Agent({
    connect: {
      lookup: (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
        lookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
          if (err) return callback(err, '');
          try {
            for (const a of addresses) deny(policy, hostname, a.address);
          } catch (denied) {
            return callback(denied as Error, '');
          }
          if (options.all) callback(null, addresses);
          else callback(null, addresses[0]!.address, addresses[0]!.family);
        });
      },
    },
  });
}

function deny(policy: MailHostPolicy, host: string, address: string): void {
  const verdict = policy.check(host, address);
  if (!verdict.allowed) throw new MailductError('MAIL_HOST_DENIED', `not connecting: ${verdict.reason}`);
}

async function boundedBody(body: AsyncIterable<Uint8Array> | null): Promise<Uint8Array | null> {
  if (!body) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > MAX_RESPONSE_BYTES)
      throw new MailductError('OAUTH2_PROVIDER_REFUSED', `the provider's answer exceeds ${MAX_RESPONSE_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
