import { describe, expect, it } from 'vitest';
import { copyDataMessages, encodeTuple } from './copy-binary.js';

const hex = (parts: Buffer[]) => Buffer.concat(parts).toString('hex');

describe(encodeTuple.name, () => {
  it('writes the field count, then each field as length and value in its binary form', () => {
    const parts = encodeTuple([{ int4: -2 }, { int8: 5n }, { text: 'é' }, { jsonb: '{}' }, { timestamp: 1n }, null]);
    expect(hex(parts)).toBe(
      [
        '0006', // six fields
        '00000004' + 'fffffffe',
        '00000008' + '0000000000000005',
        '00000002' + 'c3a9', // UTF-8
        '00000003' + '01' + '7b7d', // jsonb version 1
        '00000008' + '0000000000000001',
        'ffffffff', // NULL
      ].join(''),
    );
  });

  it('passes bytea values through as the same Buffer, between the packed fields around them', () => {
    const raw = Buffer.from('raw mail');
    const parts = encodeTuple([{ int4: 1 }, { bytea: raw }, { text: 'x' }]);
    expect(parts).toHaveLength(3);
    expect(parts[1]).toBe(raw);
    expect(hex(parts)).toBe('0003' + '00000004' + '00000001' + '00000008' + raw.toString('hex') + '00000001' + '78');
  });

  it('ends with the bytea when it is the last field (nothing packed after it)', () => {
    const raw = Buffer.alloc(3, 7);
    const parts = encodeTuple([{ bytea: raw }]);
    expect(parts.map((p) => p.length)).toEqual([6, 3]);
    expect(parts[1]).toBe(raw);
  });
});

describe(copyDataMessages.name, () => {
  it('frames the file header, each tuple and the trailer as CopyData messages of the right length', () => {
    const raw = Buffer.alloc(1000, 1);
    const messages = copyDataMessages([[{ int4: 1 }, { bytea: raw }], [null]]);
    expect(messages).toContain(raw);
    const stream = Buffer.concat(messages);
    const bodies: Buffer[] = [];
    for (let at = 0; at < stream.length;) {
      expect(stream[at]).toBe(0x64); // 'd'
      const length = stream.readInt32BE(at + 1);
      bodies.push(stream.subarray(at + 5, at + 1 + length));
      at += 1 + length;
    }
    expect(bodies).toHaveLength(4);
    expect(bodies[0]!.toString('latin1')).toBe('PGCOPY\n\xff\r\n\0' + '\0'.repeat(8));
    expect(bodies[1]!.readInt16BE(0)).toBe(2);
    expect(bodies[1]!.length).toBe(2 + 8 + 4 + 1000);
    expect(bodies[2]!.toString('hex')).toBe('0001ffffffff');
    expect(bodies[3]!.toString('hex')).toBe('ffff');
  });
});
