import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { MailHostPolicy } from '../mail/host-policy.js';
import { addressesOf } from '../mail/resolve-mail-host.js';
import type { AttemptResult } from './delivery-policy.js';
import type { SignedHeaders } from './signature.js';

/** One signed POST of an event to a webhook's URL. */
export interface WebhookRequest {
  url: string;
  body: string;
  headers: SignedHeaders;
  /** MAILDUCT_WEBHOOK_ALLOW_PRIVATE: loopback, private, link-local and metadata addresses too. */
  allowPrivate: boolean;
  timeoutMs?: number;
}

/** What one attempt met, for the delivery log. */
export interface AttemptRecord {
  result: AttemptResult;
  latencyMs: number;
  /** The start of the receiver's answer, at most RESPONSE_EXCERPT_BYTES. */
  responseExcerpt: string | null;
}

export const RESPONSE_EXCERPT_BYTES = 1024;
const DEFAULT_TIMEOUT_MS = 10_000;
const internalAddresses = new MailHostPolicy();

/**
 * Send one event. The name is resolved now and every address it has is checked (a name that
 * also points inside the network is refused), and the connection goes to the address checked
 * here, so a name that resolves elsewhere a moment later (DNS rebinding) does not get past it.
 * Redirects are not followed; of the answer only its status, Retry-After and first KiB are read.
 */
export async function sendWebhook(req: WebhookRequest): Promise<AttemptRecord> {
  const started = Date.now();
  const done = (result: AttemptResult, responseExcerpt: string | null = null): AttemptRecord => ({
    result,
    latencyMs: Date.now() - started,
    responseExcerpt,
  });
  const url = new URL(req.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let address: string;
  try {
    address = await checkedAddress(host, req.allowPrivate);
  } catch (err) {
    const refused = (err as { refused?: boolean }).refused === true;
    return done({ error: refused ? 'refused-address' : 'connection', message: (err as Error).message });
  }
  try {
    const { res, excerpt } = await post(url, address, host, req);
    return done({ status: res.statusCode ?? 0, retryAfter: header(res, 'retry-after') }, excerpt);
  } catch (err) {
    const timeout = (err as Error).message === 'timeout';
    const message = timeout
      ? `no answer within ${req.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`
      : `${url.host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    return done({ error: timeout ? 'timeout' : 'connection', message });
  }
}

async function checkedAddress(host: string, allowPrivate: boolean): Promise<string> {
  let addresses: string[];
  try {
    addresses = await addressesOf(host);
  } catch (err) {
    throw new Error(`${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!allowPrivate)
    for (const address of addresses)
      if (!internalAddresses.check(host, address).allowed)
        throw Object.assign(
          new Error(
            `${host} resolves to ${address}, an internal address (loopback, private, link-local or metadata): allowed only with MAILDUCT_WEBHOOK_ALLOW_PRIVATE=true`,
          ),
          { refused: true },
        );
  return addresses[0]!;
}

function post(url: URL, address: string, host: string, req: WebhookRequest) {
  return new Promise<{ res: IncomingMessage; excerpt: string }>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)({
      host: address,
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      agent: false,
      setHost: false,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      headers: {
        host: url.host,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(req.body),
        'user-agent': 'mailduct-webhooks',
        ...req.headers,
      },
    });
    const timer = setTimeout(() => request.destroy(new Error('timeout')), req.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    request.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    request.once('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        clearTimeout(timer);
        res.destroy();
        resolve({ res, excerpt: Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8') });
      };
      res.on('data', (chunk: Buffer) => {
        if (size < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
        size += chunk.length;
        if (size >= RESPONSE_EXCERPT_BYTES) finish();
      });
      res.once('end', finish);
      res.once('error', finish);
    });
    request.end(req.body);
  });
}

function header(res: IncomingMessage, name: string): string | null {
  const v = res.headers[name];
  return typeof v === 'string' ? v.slice(0, 100) : null;
}
