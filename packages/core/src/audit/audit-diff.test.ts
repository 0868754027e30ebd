import { describe, expect, it } from 'vitest';
import { diffFields } from './audit-diff.js';

describe(diffFields.name, () => {
  it('lists changed fields with old and new values', () => {
    expect(diffFields({ host: 'a', port: 1, trusted: false }, { host: 'b', port: 1, trusted: true })).toEqual({
      host: { from: 'a', to: 'b' },
      trusted: { from: false, to: true },
    });
  });

  it('compares nested values structurally', () => {
    expect(diffFields({ dispatch: { by: 'to' } }, { dispatch: { by: 'to' } })).toEqual({});
    expect(diffFields({ dispatch: { by: 'to' } }, { dispatch: { by: 'queue', queueId: 2 } })).toHaveProperty(
      'dispatch',
    );
  });

  it('never records the value of a secret field', () => {
    const changes = diffFields({ password: undefined }, { password: 'hunter2' }, new Set(['password']));
    expect(changes).toEqual({ password: { secret: true, changed: true } });
    expect(JSON.stringify(changes)).not.toContain('hunter2');
  });

  it('records creation and deletion', () => {
    expect(diffFields(null, { name: 'Raw' })).toEqual({ name: { from: null, to: 'Raw' } });
    expect(diffFields({ name: 'Raw' }, null)).toEqual({ name: { from: 'Raw', to: null } });
  });
});
