import { describe, expect, it } from 'vitest';
import { searchEntries, searchTextOf, type DirectoryEntry } from './account-search.js';

const entry = (
  id: number,
  host: string,
  username: string,
  type: DirectoryEntry['type'],
  validity: DirectoryEntry['validity'] = 'valid',
  comment: string | null = null,
): DirectoryEntry => ({
  id,
  text: searchTextOf({ host, username, comment }),
  type,
  validity,
});

const entries = [
  entry(3, 'a.example.com', 'alice', 'IMAP'),
  entry(1, 'a.example.com', 'bob', 'POP3S', 'invalid'),
  entry(7, 'b.example.com', 'carol', 'POP3TLS', 'invalid-temporarily', 'Nordic team'),
  entry(2, 'c.example.org', 'dave', 'IMAPS'),
];

describe(searchEntries.name, () => {
  it('keeps the given order and counts every match', () => {
    expect(searchEntries(entries, { limit: 50, offset: 0 })).toEqual({ ids: [3, 1, 7, 2], total: 4 });
  });

  it('matches host, user name and comment case-insensitively', () => {
    expect(searchEntries(entries, { q: 'EXAMPLE.COM', limit: 50, offset: 0 }).ids).toEqual([3, 1, 7]);
    expect(searchEntries(entries, { q: 'Dav', limit: 50, offset: 0 }).ids).toEqual([2]);
    expect(searchEntries(entries, { q: 'nordic', limit: 50, offset: 0 }).ids).toEqual([7]);
  });

  it('matches type names', () => {
    expect(searchEntries(entries, { q: 'pop3', limit: 50, offset: 0 }).ids).toEqual([1, 7]);
  });

  it('drops invalid and invalid-temporarily accounts on request', () => {
    expect(searchEntries(entries, { includeInvalid: false, limit: 50, offset: 0 })).toEqual({ ids: [3, 2], total: 2 });
  });

  it('pages after filtering', () => {
    expect(searchEntries(entries, { q: 'example', limit: 2, offset: 1 })).toEqual({ ids: [1, 7], total: 4 });
    expect(searchEntries(entries, { limit: 2, offset: 10 })).toEqual({ ids: [], total: 4 });
  });

  it('does not match across the field separator', () => {
    expect(searchEntries(entries, { q: 'com alice', limit: 50, offset: 0 }).total).toBe(0);
  });
});
