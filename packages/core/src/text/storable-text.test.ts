import { describe, expect, it } from 'vitest';
import { storableStrings, storableText } from './storable-text.js';

describe(storableText.name, () => {
  it('replaces NUL and unpaired surrogates, keeps pairs and everything else', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('x\uD800y')).toBe('x\uFFFDy');
    expect(storableText('x\uDC00')).toBe('x\uFFFD');
    expect(storableText('\uDC00\uD800')).toBe('\uFFFD\uFFFD');
    expect(storableText('😀 ü \t\r\n\u0001')).toBe('😀 ü \t\r\n\u0001');
  });

  it('makes any string PostgreSQL-storable as JSON text', () => {
    for (const s of ['\u0000', '\uD83D', 'a\uDE00b', '\uD83D\uD83D\uDE00']) {
      const fixed = storableText(s);
      expect(Buffer.from(fixed, 'utf8').toString('utf8')).toBe(fixed); // lossless through UTF-8: well-formed
      expect(fixed).not.toContain('\u0000');
    }
  });
});

describe(storableStrings.name, () => {
  it('fixes strings at any depth, keys included, without touching the input', () => {
    const input = {
      id: 7,
      ok: true,
      when: null,
      list: ['fine', 'bad\u0000'],
      nested: { 'key\u0000': 'v\uD800', keep: 'x' },
    };
    const out = storableStrings(input);
    expect(out).toEqual({
      id: 7,
      ok: true,
      when: null,
      list: ['fine', 'bad\uFFFD'],
      nested: { 'key\uFFFD': 'v\uFFFD', keep: 'x' },
    });
    expect(input.list[1]).toBe('bad\u0000');
    expect(Object.keys(input.nested)).toContain('key\u0000');
  });

  it('returns the very same value when nothing needed a change', () => {
    const input = { a: ['b', { c: 'd' }], e: 1 };
    expect(storableStrings(input)).toBe(input);
  });

  it('agrees with storableText on every string, whatever its JSON text looks like', () => {
    // Literal backslash escapes, pairs, lone halves at either end, control characters, quotes.
    const strings = [
      '\\u0000',
      '\\uD800',
      '\\\u0000',
      '😀',
      'a\u0000',
      '\uD800',
      'x\uDBFF',
      '\uDC00y',
      '\uDFFF',
      '\uD83D\uDE00',
      '"\u0001\\',
      '\uD7FF\uE000',
      '',
    ];
    for (const text of strings) {
      const input = { [text]: [text, { v: text }] };
      const out = storableStrings(input);
      const fixed = storableText(text);
      expect(out).toEqual({ [fixed]: [fixed, { v: fixed }] });
      if (fixed === text) expect(out).toBe(input);
    }
  });
});
