import { MailductError, type ErrorCode } from '../errors/index.js';
import { replaceControlCharacters } from '../text/index.js';

interface RawError {
  code?: string;
  message?: string;
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
}

const NETWORK = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'NoConnection',
  'EConnectionClosed',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
  'StateLogout',
]);
const TIMEOUT = new Set([
  'ETIMEDOUT',
  'ETIMEOUT',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'ESOCKETTIMEDOUT',
]);
const BUSY_RESPONSE = new Set(['UNAVAILABLE', 'LIMIT', 'INUSE', 'IN-USE', 'SYS/TEMP', 'OVERQUOTA']);
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY|GET)_|HOSTNAME_MISMATCH|EPROTO)/;

/**
 * Map any error from a mail connection (socket, TLS, imapflow, our POP3 client) to a
 * MailductError with a MAIL_* code, keeping the server's own words. `secrets` are cut out of the
 * message, so a password can never reach a log or an API response through an error.
 */
export function classifyMailError(err: unknown, secrets: readonly string[] = []): MailductError {
  if (err instanceof MailductError) return err;
  const e = (err ?? {}) as RawError;
  const code = typeof e.code === 'string' ? e.code : '';
  const serverCode = (e.serverResponseCode ?? '').toUpperCase();
  const detail = scrub(describe(e), secrets);
  const make = (c: ErrorCode, message: string) => new MailductError(c, scrub(message, secrets), { cause: err });
  if (BUSY_RESPONSE.has(serverCode)) return make('MAIL_SERVER_BUSY', `server is busy or limiting: ${detail}`);
  if (e.authenticationFailed || serverCode === 'AUTHENTICATIONFAILED' || serverCode === 'AUTH')
    return make('MAIL_AUTH_REFUSED', `login refused: ${detail}`);
  if (e.tlsFailed && /STARTTLS|STLS/i.test(e.message ?? ''))
    return make('MAIL_STARTTLS_UNAVAILABLE', `server does not offer STARTTLS: ${detail}`);
  if (e.tlsFailed || TLS_CODE.test(code)) return make('MAIL_TLS_FAILED', `TLS failed: ${detail}`);
  if (TIMEOUT.has(code)) return make('MAIL_TIMEOUT', `timed out: ${detail}`);
  if (NETWORK.has(code)) return make('MAIL_NETWORK', `connection failed: ${detail}`);
  if (code === 'ETHROTTLE') return make('MAIL_SERVER_BUSY', `server is throttling: ${detail}`);
  if (code === 'NotFound' || serverCode === 'NONEXISTENT')
    return make('MAIL_FOLDER_MISSING', `folder not found: ${detail}`);
  return make('MAIL_PROTOCOL', `unexpected server behaviour: ${detail}`);
}

function describe(e: RawError): string {
  const parts = [e.message ?? 'unknown error'];
  if (e.responseText && !parts[0]!.includes(e.responseText)) parts.push(serverExcerpt(e.responseText));
  if (e.code && !parts[0]!.includes(e.code)) parts.push(`(${e.code})`);
  return parts.join(' ').replace(/\s+/g, ' ').slice(0, MAX_DETAIL);
}

/** What an error message says at most about a failure: enough to act on, not a banner grabber. */
const MAX_DETAIL = 160;
const MAX_EXCERPT = 80;

/**
 * A short, printable excerpt of what a server said: printable ASCII only, at most 80
 * characters. Whatever answers on a port (an SSH server, an HTTP server, a database) is not
 * echoed back through a connection test beyond that.
 */
export function serverExcerpt(text: string): string {
  const printable = text
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/ {2,}/g, ' ')
    .trim();
  return printable.length > MAX_EXCERPT ? `${printable.slice(0, MAX_EXCERPT)}…` : printable;
}

/**
 * Replace every occurrence of each secret with ********, and control characters (a hostile
 * server's NUL bytes would not even fit in PostgreSQL) with spaces. Secrets shorter than three
 * characters are left alone: masking every "p" would mangle the message and hide nothing.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = replaceControlCharacters(text);
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('********');
  return out;
}
