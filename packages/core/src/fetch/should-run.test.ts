import { describe, expect, it } from 'vitest';
import { shouldRun } from './should-run.js';

const now = new Date('2026-12-02T10:00:00Z');
const valid = { id: 7, validity: 'valid' as const, backoffUntil: null };

describe('shouldRun', () => {
  it('runs a scheduled job of a valid account that is not backing off', () => {
    expect(shouldRun(valid, 7, 'schedule', now)).toEqual({ run: true });
    expect(shouldRun({ ...valid, backoffUntil: new Date('2026-12-02T09:59:59Z') }, 7, 'schedule', now)).toEqual({
      run: true,
    });
  });

  it('skips a scheduled job of an account that is not valid, or backing off', () => {
    expect(shouldRun({ ...valid, validity: 'invalid_temporarily' }, 7, 'schedule', now)).toEqual({
      run: false,
      reason: 'mail account 7 is invalid-temporarily',
    });
    expect(shouldRun({ ...valid, backoffUntil: new Date('2026-12-02T10:00:30Z') }, 7, 'schedule', now)).toEqual({
      run: false,
      reason: 'backing off until 2026-12-02T10:00:30.000Z',
    });
  });

  it('treats a pushed job (IMAP IDLE) as a scheduled one: not for an invalid account or one backing off', () => {
    expect(shouldRun(valid, 7, 'push', now)).toEqual({ run: true });
    expect(shouldRun({ ...valid, validity: 'invalid' }, 7, 'push', now).run).toBe(false);
    expect(shouldRun({ ...valid, backoffUntil: new Date('2026-12-02T10:00:30Z') }, 7, 'push', now).run).toBe(false);
  });

  it('always runs fetch-now, also for an invalid account backing off, but never a deleted account', () => {
    expect(
      shouldRun({ ...valid, validity: 'invalid', backoffUntil: new Date('2026-12-03T00:00:00Z') }, 7, 'manual', now),
    ).toEqual({ run: true });
    expect(shouldRun(null, 7, 'manual', now)).toEqual({ run: false, reason: 'mail account 7 no longer exists' });
  });
});
