import { describe, expect, it } from 'vitest';
import { accountEventsOf, FAILURES_BEFORE_EVENT } from './account-events.js';

const run = (failuresBefore: number, failuresAfter: number, errorCode: string | null, parked = false) =>
  accountEventsOf({ failuresBefore, failuresAfter, parked, errorCode });

describe(accountEventsOf.name, () => {
  it(`says account.failed once, when the failures reach ${FAILURES_BEFORE_EVENT} in a row`, () => {
    expect(run(0, 1, 'MAIL_NETWORK')).toEqual([]);
    expect(run(1, 2, 'MAIL_NETWORK')).toEqual([]);
    expect(run(2, 3, 'MAIL_NETWORK')).toEqual(['account.failed']);
    expect(run(3, 4, 'MAIL_NETWORK')).toEqual([]);
  });

  it('says account.recovered on the first success after account.failed, and nothing after a short blip', () => {
    expect(run(5, 0, null)).toEqual(['account.recovered']);
    expect(run(1, 0, null)).toEqual([]);
    expect(run(0, 0, null)).toEqual([]);
  });

  it('says account.parked when the run parked it, with reauthorization_required for a lost grant', () => {
    expect(run(4, 5, 'MAIL_AUTH_REFUSED', true)).toEqual(['account.parked']);
    expect(run(0, 1, 'OAUTH2_REAUTHORIZATION_REQUIRED', true)).toEqual([
      'account.parked',
      'account.reauthorization_required',
    ]);
    expect(run(2, 3, 'MAIL_AUTH_REFUSED', true)).toEqual(['account.failed', 'account.parked']);
  });
});
