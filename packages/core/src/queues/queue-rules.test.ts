import { describe, expect, it } from 'vitest';
import { normalizeAddress, normalizeQueue } from './queue-rules.js';

describe(normalizeAddress.name, () => {
  it('stores addresses lower-case', () => {
    expect(normalizeAddress({ address: ' Support@Example.COM ', queueId: 1 }).address).toBe('support@example.com');
  });

  it.each(['support', 'a b@example.com', '<x@example.com>', 'x@', '@example.com', 'x@-bad.com'])(
    'rejects %j',
    (address) => {
      expect(() => normalizeAddress({ address, queueId: 1 })).toThrow(/address: must be an e-mail address/);
    },
  );

  it('requires a queue', () => {
    expect(() => normalizeAddress({ address: 'a@example.com' } as never)).toThrow(/queueId/);
  });
});

describe(normalizeQueue.name, () => {
  it('trims the name and defaults to valid', () => {
    expect(normalizeQueue({ name: ' Sales ' })).toEqual({ name: 'Sales', valid: true, comment: null });
  });

  it('rejects an empty or over-long name', () => {
    expect(() => normalizeQueue({ name: ' ' })).toThrow(/name: is required/);
    expect(() => normalizeQueue({ name: 'x'.repeat(201) })).toThrow(/at most 200/);
  });
});
