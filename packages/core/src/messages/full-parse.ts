import { simpleParser } from 'mailparser';

/** The full MIME parse of a message, as served by GET /messages/:id/parsed. */
export interface ParsedMessage {
  subject: string | null;
  date: string | null;
  text: string | null;
  html: string | null;
  attachments: { filename: string | null; contentType: string; size: number; contentId: string | null; disposition: string | null; checksum: string }[];
  /** Why the MIME structure could not be parsed (the raw mail is still there); null when it could. */
  error: string | null;
}

const MAX_BODY = 5 * 1024 * 1024;

/**
 * Parse the whole message with mailparser (text, html, attachment metadata; attachment bodies
 * are not kept). Done lazily, off the fetch hot path (docs/ARCHITECTURE.md, "The hot path").
 */
export async function parseFullMessage(raw: Buffer): Promise<ParsedMessage> {
  let mail;
  try {
    mail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true, skipTextToHtml: true });
  } catch (err) {
    return { subject: null, date: null, text: null, html: null, attachments: [], error: `the MIME structure cannot be parsed: ${(err as Error).message}` };
  }
  return {
    subject: mail.subject ?? null,
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null,
    text: typeof mail.text === 'string' ? mail.text.slice(0, MAX_BODY) : null,
    html: typeof mail.html === 'string' ? mail.html.slice(0, MAX_BODY) : null,
    attachments: mail.attachments.map((a) => ({
      filename: a.filename ?? null,
      contentType: a.contentType,
      size: a.size,
      contentId: a.contentId ?? null,
      disposition: a.contentDisposition ?? null,
      checksum: a.checksum,
    })),
    error: null,
  };
}
