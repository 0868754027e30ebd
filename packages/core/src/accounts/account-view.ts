import type { MailAccountRow } from '../db/index.js';
import {
  effectivePort,
  type AccountAuth,
  type AccountDraft,
  type AccountType,
  type Dispatch,
  type Validity,
} from './account-types.js';
import type { AfterFetchAction, InitialImport } from './mailbox-policy.js';

/** The public shape of an account. The password is never part of it, only `hasPassword`. */
export interface AccountView {
  id: number;
  type: AccountType;
  host: string;
  port: number | null;
  effectivePort: number;
  username: string;
  hasPassword: boolean;
  auth: AccountAuthView;
  imapFolder: string | null;
  imapFolders: string[];
  afterFetch: AfterFetchAction;
  moveToFolder: string | null;
  initialImport: InitialImport;
  importSince: string | null;
  push: boolean;
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

/** How the account signs in, and for OAuth2 whether a token can be had. */
type AccountAuthView =
  | { method: 'password' }
  | {
      method: 'oauth2';
      providerId: number;
      providerName: string | null;
      delegate: boolean;
      state: 'ready' | 'authorization_required' | 'reauthorization_required';
      identity: string | null;
      authorizedAt: string | null;
      refreshTokenExpiresAt: string | null;
    };

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

/** A stored account with what its view shows of its queue, OAuth2 provider and grant (VIEW_INCLUDE). */
export type AccountViewRow = MailAccountRow & {
  queue?: { name: string } | null;
  oauth2Provider?: { name: string; grantType: string } | null;
  oauth2Token?: {
    identity: string | null;
    authorizedAt: Date;
    refreshExpiresAt: Date | null;
    refreshTokenEnc: string | null;
  } | null;
};

/** What Prisma reads beside an account for its view. */
export const VIEW_INCLUDE = {
  queue: { select: { name: true } },
  oauth2Provider: { select: { name: true, grantType: true } },
  oauth2Token: { select: { identity: true, authorizedAt: true, refreshExpiresAt: true, refreshTokenEnc: true } },
} as const;

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
export function toAccountView(row: AccountViewRow): AccountView {
  const dispatch = dispatchOfRow(row);
  return {
    id: row.id,
    type: row.type,
    host: row.host,
    port: row.port,
    effectivePort: effectivePort(row.type, row.port),
    username: row.username,
    hasPassword: row.passwordEnc.length > 0,
    auth: authView(row),
    ...mailboxPolicyOf(row),
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
    auth: authOfRow(row),
    ...mailboxPolicyOf(row),
    trusted: row.trusted,
    dispatch: dispatchOfRow(row),
    validity: validityOfRow(row.validity),
    comment: row.comment,
    tlsVerify: row.tlsVerify,
    pollIntervalSeconds: row.pollIntervalSeconds,
  };
}

/** Folders, after-fetch policy and initial import of a stored account. */
function mailboxPolicyOf(row: MailAccountRow) {
  return {
    imapFolder: row.imapFolder,
    imapFolders: row.imapFolder === null ? [] : row.imapFolders.length > 0 ? row.imapFolders : [row.imapFolder],
    afterFetch: row.afterFetch as AfterFetchAction,
    moveToFolder: row.moveToFolder,
    initialImport: row.initialImport as InitialImport,
    importSince: iso(row.importSince),
    push: row.push,
  };
}

/** The auth setting of a stored account. */
function authOfRow(row: MailAccountRow): AccountAuth {
  return row.authMethod === 'oauth2' && row.oauth2ProviderId !== null
    ? { method: 'oauth2', providerId: row.oauth2ProviderId, delegate: row.oauth2Delegate }
    : { method: 'password' };
}

function authView(row: AccountViewRow): AccountAuthView {
  const auth = authOfRow(row);
  if (auth.method === 'password') return auth;
  const token = row.oauth2Token ?? null;
  const appOnly = row.oauth2Provider?.grantType === 'client_credentials';
  return {
    ...auth,
    providerName: row.oauth2Provider?.name ?? null,
    state: row.oauth2ReauthorizationRequired
      ? 'reauthorization_required'
      : appOnly || token?.refreshTokenEnc
        ? 'ready'
        : 'authorization_required',
    identity: token?.identity ?? null,
    authorizedAt: token ? iso(token.authorizedAt) : null,
    refreshTokenExpiresAt: token ? iso(token.refreshExpiresAt) : null,
  };
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}
