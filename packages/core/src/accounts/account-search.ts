import { ACCOUNT_TYPES, type AccountType, type Validity } from './account-types.js';

/** The filterable fields of one account, in list order. */
export interface DirectoryEntry {
  id: number;
  /** lower-case host, user name and comment, separated by newlines. */
  text: string;
  type: AccountType;
  validity: Validity;
}

/** The text `q` is matched against, lower-cased once when the directory is loaded. */
export function searchTextOf(a: { host: string; username: string; comment: string | null }): string {
  return `${a.host}\n${a.username}\n${a.comment ?? ''}`.toLowerCase();
}

/** The normalised form of a filter: what a match list is cached under. */
export function filterKey(filter: { q?: string; includeInvalid?: boolean }): string {
  return `${filter.includeInvalid === false ? 'valid' : 'all'}\u0000${filter.q?.trim().toLowerCase() ?? ''}`;
}

/**
 * All ids matching a filter, in entry order (host/username/id), like the SQL path: `q` is a
 * case-insensitive substring of host, user name or comment, or of the type name.
 */
export function matchEntries(
  entries: readonly DirectoryEntry[],
  filter: { q?: string; includeInvalid?: boolean },
): number[] {
  const q = filter.q?.trim().toLowerCase() ?? '';
  const types = q ? new Set<AccountType>(ACCOUNT_TYPES.filter((t) => t.toLowerCase().includes(q))) : null;
  const validOnly = filter.includeInvalid === false;
  const ids: number[] = [];
  for (const e of entries) {
    if (validOnly && e.validity !== 'valid') continue;
    if (q && !e.text.includes(q) && !types!.has(e.type)) continue;
    ids.push(e.id);
  }
  return ids;
}

/** The ids of the requested page and the total number of matches. */
export function searchEntries(
  entries: readonly DirectoryEntry[],
  filter: { q?: string; includeInvalid?: boolean; limit: number; offset: number },
): { ids: number[]; total: number } {
  const all = matchEntries(entries, filter);
  return { ids: all.slice(filter.offset, filter.offset + filter.limit), total: all.length };
}
