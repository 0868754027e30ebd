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
