import type { MailAccountRow } from '../db/index.js';
import { effectivePort, type AccountDraft, type AccountType, type Dispatch, type Validity } from './account-types.js';

/** The public shape of an account. The password is never part of it, only `hasPassword`. */
export interface AccountView {
  id: number;
  type: AccountType;
  host: string;
  port: number | null;
  effectivePort: number;
  username: string;
  hasPassword: boolean;
  imapFolder: string | null;
  trusted: boolean;
  dispatch: { by: 'to' } | { by: 'queue'; queueId: number; queueName: string | null };
  validity: Validity;
  comment: string | null;
  tlsVerify: boolean;
  pollIntervalSeconds: number;
  state: AccountStateView;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  updatedBy: string | null;
}

/** What the fetchers last recorded about an account. */
export interface AccountStateView {
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  lastError: { class: string; message: string } | null;
  consecutiveFailures: number;
  oversizedCount: number;
  backoffUntil: string | null;
  parkedReason: string | null;
}

type RowWithQueue = MailAccountRow & { queue?: { name: string } | null };

/** Prisma stores `invalid-temporarily` as the identifier `invalid_temporarily`. */
export function validityOfRow(v: MailAccountRow['validity']): Validity {
  return v === 'invalid_temporarily' ? 'invalid-temporarily' : v;
}

/** The Prisma enum value for a validity. */
export function validityToRow(v: Validity): MailAccountRow['validity'] {
  return v === 'invalid-temporarily' ? 'invalid_temporarily' : v;
}

/** The dispatch setting of a stored account. */
export function dispatchOfRow(row: MailAccountRow): Dispatch {
  return row.dispatchBy === 'queue' && row.queueId !== null ? { by: 'queue', queueId: row.queueId } : { by: 'to' };
}

/** Turn a stored account into its API view. */
export function toAccountView(row: RowWithQueue): AccountView {
  const dispatch = dispatchOfRow(row);
  return {
    id: row.id,
    type: row.type,
    host: row.host,
    port: row.port,
    effectivePort: effectivePort(row.type, row.port),
    username: row.username,
    hasPassword: row.passwordEnc.length > 0,
    imapFolder: row.imapFolder,
    trusted: row.trusted,
    dispatch: dispatch.by === 'queue' ? { ...dispatch, queueName: row.queue?.name ?? null } : dispatch,
    validity: validityOfRow(row.validity),
    comment: row.comment,
    tlsVerify: row.tlsVerify,
    pollIntervalSeconds: row.pollIntervalSeconds,
    state: {
      lastRunAt: iso(row.lastRunAt),
      lastSuccessAt: iso(row.lastSuccessAt),
      lastError: row.lastErrorClass ? { class: row.lastErrorClass, message: row.lastErrorMessage ?? '' } : null,
      consecutiveFailures: row.consecutiveFailures,
      oversizedCount: row.oversizedCount,
      backoffUntil: iso(row.backoffUntil),
      parkedReason: row.parkedReason,
    },
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  };
}

/** The editable fields of a stored account, without its password. */
export function draftOfRow(row: MailAccountRow): AccountDraft {
  return {
    type: row.type,
    host: row.host,
    port: row.port,
    username: row.username,
    password: undefined,
    imapFolder: row.imapFolder,
    trusted: row.trusted,
    dispatch: dispatchOfRow(row),
    validity: validityOfRow(row.validity),
    comment: row.comment,
    tlsVerify: row.tlsVerify,
    pollIntervalSeconds: row.pollIntervalSeconds,
  };
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}
