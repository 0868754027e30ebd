import type { Prisma } from '../db/index.js';
import { ACCOUNT_TYPES } from './account-types.js';

/** List parameters: `q` matches host, username, type and comment, case-insensitively. */
export interface AccountFilter {
  q?: string;
  includeInvalid?: boolean;
  limit: number;
  offset: number;
}

/** The Prisma `where` for a filter. Types are matched by name, since the column is an enum. */
export function accountWhere(filter: Pick<AccountFilter, 'q' | 'includeInvalid'>): Prisma.MailAccountWhereInput {
  const and: Prisma.MailAccountWhereInput[] = [];
  if (filter.includeInvalid === false) and.push({ validity: 'valid' });
  const q = filter.q?.trim();
  if (q) {
    const types = ACCOUNT_TYPES.filter((t) => t.includes(q.toUpperCase()));
    and.push({
      OR: [
        { host: { contains: q, mode: 'insensitive' } },
        { username: { contains: q, mode: 'insensitive' } },
        { comment: { contains: q, mode: 'insensitive' } },
        ...(types.length > 0 ? [{ type: { in: [...types] } }] : []),
      ],
    });
  }
  return and.length > 0 ? { AND: and } : {};
}

/** Stable list order: host, then username, then id. */
export const ACCOUNT_ORDER: Prisma.MailAccountOrderByWithRelationInput[] = [
  { host: 'asc' },
  { username: 'asc' },
  { id: 'asc' },
];
