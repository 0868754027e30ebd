import { describe, expect, it } from 'vitest';
import { CONTROL_CHARACTER, TEXT_CONTROL_CHARACTER, replaceControlCharacters } from './control-characters.js';

describe('control characters', () => {
  it('one-line values allow none, free text allows tab and line breaks', () => {
    for (const c of ['\u0000', '\t', '\n', '\r', '\u001b', '\u007f'])
      expect(CONTROL_CHARACTER.test(`a${c}b`), JSON.stringify(c)).toBe(true);
    for (const c of ['\t', '\n', '\r']) expect(TEXT_CONTROL_CHARACTER.test(`a${c}b`), JSON.stringify(c)).toBe(false);
    for (const c of ['\u0000', '\u000b', '\u000c', '\u001b', '\u007f'])
      expect(TEXT_CONTROL_CHARACTER.test(`a${c}b`), JSON.stringify(c)).toBe(true);
    expect(CONTROL_CHARACTER.test('plain text ä €')).toBe(false);
  });

  it(`${replaceControlCharacters.name} keeps tab and LF and replaces every other one`, () => {
    expect(replaceControlCharacters('a\u0000b\rc\td\ne\u007f')).toBe('a b c\td\ne ');
    expect(replaceControlCharacters('a\u0000b\u001b', '')).toBe('ab');
  });
});
