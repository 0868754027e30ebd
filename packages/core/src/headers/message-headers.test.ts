import addressparser, { type Address } from 'nodemailer/lib/addressparser';
import { describe, expect, it } from 'vitest';
import { addressesOf, mailboxesIn } from './addresses.js';
import { decodeWords } from './decode.js';
import { summarizeHeaders } from './header-summary.js';
import { MessageHeaders } from './message-headers.js';

describe(MessageHeaders.name, () => {
  it('stops at the first empty line, with CRLF or bare LF', () => {
    for (const nl of ['\r\n', '\n']) {
      const h = MessageHeaders.fromRaw(Buffer.from(`Subject: a${nl}To: b@x${nl}${nl}To: body@x${nl}`));
      expect(h.all('to')).toEqual(['b@x']);
    }
  });

  it('skips a BOM, leading blank lines and an mbox From line', () => {
    const h = MessageHeaders.fromRaw(
      Buffer.from('\ufeff\r\nFrom sender@x Mon Jan  1 00:00:00 2024\r\nSubject: hi\r\n\r\n'),
    );
    expect(h.first('subject')).toBe('hi');
  });

  it('unfolds continuation lines', () => {
    expect(MessageHeaders.fromRaw(Buffer.from('Subject: one\r\n\ttwo\r\n   three\r\n\r\n')).first('Subject')).toBe(
      'one two three',
    );
  });

  it('reads a message that is only headers, and an empty one', () => {
    expect(MessageHeaders.fromRaw(Buffer.from('Subject: only')).first('subject')).toBe('only');
    expect(MessageHeaders.fromRaw(Buffer.alloc(0)).fields).toEqual([]);
  });

  it('survives garbage, NUL bytes and 10,000 headers quickly', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `X-H${i}: ${i}`).join('\r\n');
    const h = MessageHeaders.fromRaw(Buffer.from(`\u0000\u0001garbage line\r\n${many}\r\nTo: a@b.example\r\n\r\nbody`));
    expect(h.all('to')).toEqual(['a@b.example']);
    expect(h.fields.length).toBe(10_001);
  });
});

describe(mailboxesIn.name, () => {
  it('decodes display names and flattens groups', () => {
    expect(mailboxesIn(['=?ISO-8859-1?Q?J=F6rg?= <joerg@x.example>, Team: a@x.example, b@x.example;'])).toEqual([
      { name: 'Jörg', address: 'joerg@x.example' },
      { name: '', address: 'a@x.example' },
      { name: '', address: 'b@x.example' },
    ]);
  });

  it('reads every value exactly as addressparser does, plain ones included', () => {
    // What mailboxesIn returned when every value went through addressparser.
    const reference = (value: string) =>
      (addressparser(value, { flatten: true }) as Address[])
        .filter((a) => a.address)
        .map((a) => ({ name: decodeWords(a.name ?? '').trim(), address: a.address!.trim() }));
    const names = [
      '',
      'Seed Sender',
      'A.B',
      "O'Neil",
      'Jörg',
      'Foo   Bar',
      'tab\there',
      'a"b',
      '"Q"',
      'x(y)',
      'a,b',
      'na:me',
      'x;y',
      'a@b',
      'a\\b',
      '[x]',
      '=?UTF-8?Q?J=C3=B6rg?=',
    ];
    const locals = ['a', 'first.last', 'x+tag', "o'n", 'ö', 'q"x', 'a b', 'a(b', 'a,b'];
    const domains = ['b.example', 'é.example', '[1.2.3.4]', 'x@y', 'd;e', 'e>f', 'f<g'];
    const pads = ['', ' ', '\t '];
    const values: string[] = [];
    for (const local of locals) {
      for (const domain of domains) {
        for (const pad of pads) {
          values.push(`${pad}${local}@${domain}${pad}`);
          for (const name of names)
            values.push(`${pad}${name}${pad}<${local}@${domain}>${pad}`, `${name}<${local}@${domain}>`);
        }
      }
    }
    for (const value of values) expect(mailboxesIn([value]), value).toEqual(reference(value));
  });

  it('yields nothing for undisclosed recipients', () => {
    expect(addressesOf(mailboxesIn(['undisclosed-recipients:;']))).toEqual([]);
  });

  it('is what MessageHeaders.mailboxes returns, parsed once per field whatever the case of its name', () => {
    const h = MessageHeaders.fromRaw(
      Buffer.from('To: A <A@X.example>, b@x.example\r\nCc: c@x.example\r\nto: <D@x.example>\r\n\r\n'),
    );
    expect(h.mailboxes('To')).toEqual(mailboxesIn(h.all('to')));
    expect(h.mailboxes('to')).toBe(h.mailboxes('TO'));
    expect(addressesOf(h.mailboxes('to'))).toEqual(['a@x.example', 'b@x.example', 'd@x.example']);
    expect(h.mailboxes('bcc')).toEqual([]);
  });
});

describe(decodeWords.name, () => {
  it('decodes encoded words, joins adjacent ones and leaves other text as it is', () => {
    expect(decodeWords('=?UTF-8?Q?Bj=C3=B6rn?= =?UTF-8?Q?_M=C3=BCller?= <b@x>')).toBe('Björn Müller <b@x>');
    expect(decodeWords('=?ISO-8859-1?B?SvZyZw==?=')).toBe('Jörg');
    expect(decodeWords('Plain  text =? not a word, ?= either')).toBe('Plain  text =? not a word, ?= either');
    expect(decodeWords('  no words at all \t')).toBe('  no words at all \t');
    expect(decodeWords('')).toBe('');
  });
});

describe(summarizeHeaders.name, () => {
  it('decodes the summary headers', () => {
    const h = MessageHeaders.fromRaw(
      Buffer.from(
        'From: =?UTF-8?Q?Bj=C3=B6rn?= <bjorn@x.example>\r\nTo: a@x.example\r\nCc: c@x.example\r\nReply-To: r@x.example\r\n' +
          'Subject: =?UTF-8?B?w6TDtsO8?=\r\nDate: Tue, 1 Oct 2024 10:00:00 +0200 (CEST)\r\nMessage-ID: <id1@x>\r\nIn-Reply-To: <p@x>\r\nReferences: <r1@x> <r2@x>\r\n\r\n',
      ),
    );
    expect(summarizeHeaders(h)).toEqual({
      from: [{ name: 'Björn', address: 'bjorn@x.example' }],
      to: [{ name: '', address: 'a@x.example' }],
      cc: [{ name: '', address: 'c@x.example' }],
      replyTo: [{ name: '', address: 'r@x.example' }],
      subject: 'äöü',
      date: '2024-10-01T08:00:00.000Z',
      messageId: '<id1@x>',
      inReplyTo: '<p@x>',
      references: ['<r1@x>', '<r2@x>'],
    });
  });

  it('returns nulls for missing or unparseable values', () => {
    expect(summarizeHeaders(MessageHeaders.fromRaw(Buffer.from('Date: not a date\r\n\r\n')))).toMatchObject({
      subject: null,
      date: null,
      messageId: null,
      from: [],
    });
  });
});
