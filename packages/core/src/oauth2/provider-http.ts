import { MailductError } from '../errors/index.js';
import type { MailHostPolicy } from '../mail/index.js';
import { resolveMailHost } from '../mail/resolve-mail-host.js';

/** No answer of a provider is read beyond this: token and discovery responses are a few KiB. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * The fetch every request to an OAuth2 provider goes through (I/O): the host is checked against
 * the operator's host policy first (MAILDUCT_ALLOWED_MAIL_HOSTS / _DENIED_: a provider URL an
 * admin typed cannot reach internal addresses unless allowed), redirects are not followed, and
 * the answer is read to at most 1 MiB.
 */
export function providerFetch(policy: MailHostPolicy | undefined) {
  return async (url: string, options: RequestInit): Promise<Response> => {
    const target = new URL(url);
    if (policy) {
      try {
        await resolveMailHost(target.hostname.replace(/^\[|\]$/g, ''), policy);
      } catch (err) {
        if (err instanceof MailductError) throw err;
        throw new MailductError('OAUTH2_PROVIDER_UNREACHABLE', `cannot resolve ${target.hostname}`, { cause: err });
      }
    }
    const res = await fetch(url, { ...options, redirect: 'manual' });
    return new Response(await boundedBody(res), {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };
}

async function boundedBody(res: Response): Promise<Uint8Array | null> {
  if (!res.body) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_RESPONSE_BYTES)
      throw new MailductError('OAUTH2_PROVIDER_REFUSED', `the provider's answer exceeds ${MAX_RESPONSE_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
