import type { Mailbox } from './addresses.js';
import { decodeWords } from './decode.js';
import { replaceControlCharacters } from '../text/index.js';
import type { MessageHeaders } from './message-headers.js';

/** The decoded headers every ticket carries (README, "The results contract"). */
export interface HeaderSummary {
  from: Mailbox[];
  to: Mailbox[];
  cc: Mailbox[];
  replyTo: Mailbox[];
  subject: string | null;
  date: string | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
}

const MAX_TEXT = 2000;

/** Decode the summary headers; nothing here throws on malformed input. */
export function summarizeHeaders(h: MessageHeaders): HeaderSummary {
  return {
    from: h.mailboxes('from').slice(0, 50),
    to: h.mailboxes('to').slice(0, 500),
    cc: h.mailboxes('cc').slice(0, 500),
    replyTo: h.mailboxes('reply-to').slice(0, 50),
    subject: text(h.first('subject')),
    date: isoDate(h.first('date')),
    messageId: messageIdsIn(h.first('message-id'))[0] ?? null,
    inReplyTo: messageIdsIn(h.first('in-reply-to'))[0] ?? null,
    references: messageIdsIn(h.all('references').join(' ')).slice(0, 100),
  };
}

/** Message ids (`<...>`) in a header value, in order; a bare id without brackets is kept too. */
export function messageIdsIn(value: string | undefined): string[] {
  if (!value) return [];
  const bracketed = value.match(/<[^<>\s]{1,500}>/g);
  if (bracketed) return bracketed;
  const bare = value.trim();
  return bare && bare.length <= 500 && !/\s/.test(bare) ? [`<${bare}>`] : [];
}

function text(value: string | undefined): string | null {
  if (value === undefined) return null;
  return replaceControlCharacters(decodeWords(value), '').slice(0, MAX_TEXT);
}

/** A Date value is short; more than this is not a date (and is not scanned). */
const MAX_DATE = 1000;

function isoDate(value: string | undefined): string | null {
  if (!value || value.length > MAX_DATE) return null;
  const t = Date.parse(withoutComments(value).trim());
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** The value without its (possibly nested) RFC 5322 comments, in one pass. */
function withoutComments(value: string): string {
  let depth = 0;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && depth > 0) i++;
    else if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}
