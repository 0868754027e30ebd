import { describe, expect, it } from 'vitest';
import { parseFullMessage, withDefaultCharset } from './full-parse.js';

describe('parseFullMessage without a Content-Type', () => {
  it('reads an 8-bit body that is not UTF-8 as ISO-8859-1, as OTOBO does', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: a@example.com\r\nSubject: Umlaute\r\n\r\n'),
      Buffer.from('Gr\xfc\xdfe aus K\xf6ln\r\n', 'latin1'),
    ]);
    expect((await parseFullMessage(raw)).text?.trim()).toBe('Grüße aus Köln');
  });

  it('keeps a UTF-8 body UTF-8 and leaves mail with a Content-Type alone', async () => {
    const utf8 = Buffer.from('From: a@example.com\r\n\r\nGrüße\r\n');
    expect(withDefaultCharset(utf8)).toBe(utf8);
    expect((await parseFullMessage(utf8)).text?.trim()).toBe('Grüße');
    const typed = Buffer.concat([
      Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\n'),
      Buffer.from('\xfc\r\n', 'latin1'),
    ]);
    expect(withDefaultCharset(typed)).toBe(typed);
  });
});

describe('parseFullMessage: text parts with a file name', () => {
  const mail = (disposition: string) =>
    Buffer.from(
      [
        'From: a@example.com',
        'Subject: Log attached',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'See the log.',
        '--b',
        'Content-Type: text/plain; charset=utf-8; name="server.log"',
        `Content-Disposition: ${disposition}`,
        '',
        'line 1 of the log',
        '--b--',
        '',
      ].join('\r\n'),
    );

  it('is an attachment, as in OTOBO, even when its disposition is inline', async () => {
    const parsed = await parseFullMessage(mail('inline; filename="server.log"'));
    expect(parsed.text?.trim()).toBe('See the log.');
    expect(parsed.attachments).toMatchObject([
      { filename: 'server.log', contentType: 'text/plain', disposition: 'inline', size: 17 },
    ]);
    expect(parsed.attachments[0]!.checksum).toMatch(/^[0-9a-f]{32}$/);
  });

  it('an inline text part without a file name stays part of the text', async () => {
    const raw = Buffer.from(mail('inline').toString().replace('; name="server.log"', ''));
    const parsed = await parseFullMessage(raw);
    expect(parsed.text).toContain('See the log.');
    expect(parsed.text).toContain('line 1 of the log');
    expect(parsed.attachments).toEqual([]);
  });

  it('keeps the subject and date, and a single-part message its body', async () => {
    const raw = Buffer.from(
      'From: a@example.com\r\nSubject: Hi\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\nBody\r\n',
    );
    expect(await parseFullMessage(raw)).toMatchObject({
      subject: 'Hi',
      date: '2026-12-01T10:00:00.000Z',
      attachments: [],
      error: null,
    });
    expect((await parseFullMessage(raw)).text?.trim()).toBe('Body');
  });
});
