import { describe, expect, it } from 'vitest';
import { bullPrefix } from './bull-queues.js';

describe(bullPrefix.name, () => {
  it('keeps the prefix on one server, so an upgrade finds the queued jobs', () => {
    expect(bullPrefix('mailduct', 'fetch', false)).toBe('mailduct');
  });

  it('gives each queue a hash tag of its own on a cluster', () => {
    expect(bullPrefix('mailduct', 'fetch', true)).toBe('{mailduct:fetch}');
    expect(bullPrefix('mailduct', 'tickets', true)).toBe('{mailduct:tickets}');
  });

  it('keeps a prefix that already holds a tag', () => {
    expect(bullPrefix('{desk}', 'fetch', true)).toBe('{desk}');
    expect(bullPrefix('a{}b', 'fetch', true)).toBe('{a{}b:fetch}');
  });
});
