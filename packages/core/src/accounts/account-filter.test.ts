import { describe, expect, it } from 'vitest';
import { accountWhere } from './account-filter.js';

describe(accountWhere.name, () => {
  it('matches nothing special without a filter', () => {
    expect(accountWhere({})).toEqual({});
  });

  it('restricts to valid accounts when invalid ones are excluded', () => {
    expect(accountWhere({ includeInvalid: false })).toEqual({ AND: [{ validity: 'valid' }] });
  });

  it('matches types by name, since the type column is an enum', () => {
    const where = JSON.stringify(accountWhere({ q: 'pop' }));
    expect(where).toContain('"in":["POP3","POP3S","POP3TLS"]');
  });

  it('does not add a type clause when no type matches', () => {
    expect(JSON.stringify(accountWhere({ q: 'example' }))).not.toContain('"type"');
  });
});
