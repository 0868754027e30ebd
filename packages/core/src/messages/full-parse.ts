import { isUtf8 } from 'node:buffer';
import { headerBounds, parseHeaderFields } from '../headers/index.js';
import { parseMailParts, type MailParts } from './otobo-mail-parser.js';

/** The full MIME parse of a message, as served by GET /messages/:id/parsed. */
export interface ParsedMessage {
  subject: string | null;
  date: string | null;
  text: string | null;
  html: string | null;
  attachments: MailParts['attachments'];
  /** Why the MIME structure could not be parsed (the raw mail is still there); null when it could. */
  error: string | null;
}

const MAX_BODY = 5 * 1024 * 1024;

/**
 * Parse the whole message with mailparser and OTOBO's attachment rule (text, html, attachment
 * metadata; attachment bodies are not kept). Done lazily, off the fetch hot path (docs/ARCHITECTURE.md, "The hot path").
 */
export async function parseFullMessage(raw: Buffer): Promise<ParsedMessage> {
  let mail;
  try {
    mail = await parseMailParts(withDefaultCharset(raw));
  } catch (err) {
    return {
      subject: null,
      date: null,
      text: null,
      html: null,
      attachments: [],
      error: `the MIME structure cannot be parsed: ${(err as Error).message}`,
    };
  }
  const subject = mail.headers.get('subject');
  const date = mail.headers.get('date');
  return {
    subject: typeof subject === 'string' ? subject : null,
    date: date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : null,
    text: mail.text?.slice(0, MAX_BODY) ?? null,
    html: mail.html?.slice(0, MAX_BODY) ?? null,
    attachments: mail.attachments,
    error: null,
  };
}

/**
 * A message without a Content-Type whose body is 8-bit but not UTF-8 is read as ISO-8859-1, as
 * OTOBO reads it (docs/OTOBO.md): mailparser would take it as UTF-8 and turn every such byte into
 * U+FFFD, losing the characters. A body that is valid UTF-8 stays UTF-8. Only the copy given to
 * the parser gets the header; the stored mail is untouched.
 */
export function withDefaultCharset(raw: Buffer): Buffer {
  const { start, end, complete } = headerBounds(raw);
  if (!complete) return raw;
  if (parseHeaderFields(raw.subarray(start, end).toString('utf8')).some((f) => f.name.toLowerCase() === 'content-type'))
    return raw;
  const body = raw.subarray(end);
  if (!body.some((b) => b >= 0x80) || isUtf8(body)) return raw;
  return Buffer.concat([Buffer.from('Content-Type: text/plain; charset=ISO-8859-1\r\n'), raw]);
}
