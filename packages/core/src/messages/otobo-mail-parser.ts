import type { Readable } from 'node:stream';
import { MailParser, type AttachmentStream, type MessageText } from 'mailparser';

/** A MIME part as mailsplit gives it to mailparser's createNode. */
interface SplitNode {
  root?: boolean;
  filename?: string;
}

/** The node mailparser makes of it; `isAttachment` decides whether the part is text or an attachment. */
interface ParserNode {
  isAttachment?: boolean;
}

/**
 * mailparser with OTOBO's rule for text parts: a text/plain or text/html part that has a file
 * name is an attachment even when its disposition is inline (docs/OTOBO.md, "Articles"); mailparser
 * would merge it into the message text. The message's own body (the root part) stays text.
 */
class OtoboMailParser extends MailParser {
  createNode(node: SplitNode): ParserNode {
    const created = (MailParser.prototype as unknown as { createNode(n: SplitNode): ParserNode }).createNode.call(
      this,
      node,
    );
    if (!node.root && created.isAttachment === false && node.filename) created.isAttachment = true;
    return created;
  }
}

/** What the parse view needs of a message: its text, html and attachment metadata. */
export interface MailParts {
  headers: Map<string, unknown>;
  text: string | null;
  html: string | null;
  attachments: {
    filename: string | null;
    contentType: string;
    size: number;
    contentId: string | null;
    disposition: string | null;
    checksum: string;
  }[];
}

/**
 * Parse a whole message. Attachment bodies are read through (for their size and checksum) and
 * not kept; `cid:` links in the html stay links.
 */
export function parseMailParts(raw: Buffer): Promise<MailParts> {
  return new Promise((resolve, reject) => {
    const parser = new OtoboMailParser({ skipImageLinks: true, skipTextLinks: true, skipTextToHtml: true });
    const parts: MailParts = { headers: new Map(), text: null, html: null, attachments: [] };
    const pending: Promise<void>[] = [];
    parser.on('error', reject);
    parser.on('headers', (headers: Map<string, unknown>) => (parts.headers = headers));
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        parts.text = typeof data.text === 'string' ? data.text : null;
        parts.html = typeof data.html === 'string' ? data.html : null;
        return;
      }
      pending.push(readThrough(data).then(() => void parts.attachments.push(metadataOf(data))));
    });
    parser.on('end', () => Promise.all(pending).then(() => resolve(parts), reject));
    parser.end(raw);
  });
}

function readThrough(attachment: AttachmentStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const content = attachment.content as Readable;
    content.on('error', reject);
    content.on('end', () => {
      attachment.release?.();
      resolve();
    });
    content.resume();
  });
}

function metadataOf(a: AttachmentStream): MailParts['attachments'][number] {
  return {
    filename: a.filename ?? null,
    contentType: a.contentType,
    size: a.size ?? 0,
    contentId: a.contentId ?? null,
    disposition: a.contentDisposition ?? null,
    checksum: a.checksum ?? '',
  };
}
