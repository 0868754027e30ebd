import { decodeWords } from '../headers/index.js';
import type { HeaderField } from '../headers/index.js';

const PREFIX = 'x-otobo-';

/** X-OTOBO-* headers OTOBO honours from trusted mail (default PostmasterX-Header, §9). */
const NEW_TICKET = [
  'Queue',
  'Priority',
  'State',
  'State-PendingTime',
  'Lock',
  'Type',
  'Service',
  'SLA',
  'Title',
  'CustomerNo',
  'CustomerUser',
  'Owner',
  'OwnerID',
  'Responsible',
  'ResponsibleID',
  'SenderType',
  'IsVisibleForCustomer',
  'Ignore',
  'Loop',
  'AttachmentExists',
  'AttachmentCount',
  'BodyDecrypted',
];
const FOLLOW_UP = [
  'Owner',
  'OwnerID',
  'Responsible',
  'ResponsibleID',
  'Priority',
  'Queue',
  'Lock',
  'State',
  'State-PendingTime',
  'Type',
  'Service',
  'SLA',
  'Title',
  'SenderType',
  'IsVisibleForCustomer',
  'State-Keep',
].map((n) => `FollowUp-${n}`);

/** Canonical spelling by lower-case name. */
const KNOWN = new Map([...NEW_TICKET, ...FOLLOW_UP].map((n) => [n.toLowerCase(), n]));
const DYNAMIC = /^(followup-)?dynamicfield-([A-Za-z0-9_-]{1,200})$/i;

/** What the X-OTOBO-* headers of a message say, after the trust rule. */
export interface OtoboHeaders {
  /** Recognised values (trusted accounts only), keyed by canonical name without "X-OTOBO-". */
  attributes: Record<string, string>;
  /** X-OTOBO* header names present but ignored because the account is not trusted. */
  stripped: string[];
}

/**
 * Read the X-OTOBO-* headers. Untrusted accounts: every header whose name starts with
 * "X-OTOBO" (any case) is ignored and only listed in `stripped`. Trusted accounts: recognised
 * names (and DynamicField-*) are read, first occurrence wins, RFC 2047 words decoded;
 * X-OTOBO-Bounce* is never taken from mail (OTOBO sets it internally).
 */
export function readOtoboHeaders(fields: readonly HeaderField[], trusted: boolean): OtoboHeaders {
  const attributes: Record<string, string> = {};
  const stripped: string[] = [];
  for (const f of fields) {
    const lower = f.name.toLowerCase();
    if (!lower.startsWith('x-otobo')) continue;
    if (!trusted) {
      if (!stripped.includes(f.name)) stripped.push(f.name);
      continue;
    }
    if (!lower.startsWith(PREFIX)) continue;
    const rest = f.name.slice(PREFIX.length);
    const name = KNOWN.get(rest.toLowerCase()) ?? dynamicName(rest);
    if (name === undefined || name in attributes) continue;
    attributes[name] = decodeWords(f.value).slice(0, 2000);
  }
  return { attributes, stripped };
}

function dynamicName(rest: string): string | undefined {
  const m = DYNAMIC.exec(rest);
  if (!m) return undefined;
  return `${m[1] ? 'FollowUp-' : ''}DynamicField-${m[2]}`;
}

/** OTOBO's X-OTOBO-Ignore test: the value matches /(yes|true)/i. */
export function isIgnore(value: string | undefined): boolean {
  return value !== undefined && /(yes|true)/i.test(value);
}
