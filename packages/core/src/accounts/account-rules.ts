import { validationError, type FieldProblem } from '../errors/index.js';
import { CONTROL_CHARACTER, TEXT_CONTROL_CHARACTER } from '../text/index.js';
import { isRowId, MAX_ROW_ID } from '../db/row-id.js';
import { isHostName, normalHost } from './host-name.js';
import { schemaProblems } from '../schema/index.js';
import { AccountCreateSchema, AccountPatchSchema } from './account-schema.js';
import { checkMailboxPolicy } from './mailbox-policy-rules.js';
import {
  ACCOUNT_TYPES,
  isImapType,
  type AccountAuth,
  type AccountDraft,
  type AccountInput,
  type AccountPatch,
  type Dispatch,
} from './account-types.js';

/** Defaults that come from configuration rather than from the request. */
export interface AccountDefaults {
  pollIntervalSeconds: number;
}

/**
 * Build the stored form of a new account: apply OTOBO's defaults (IMAP folder "INBOX" for IMAP
 * types and none for POP3 types, dispatch by To:, valid, untrusted) and check every field.
 * Throws VALIDATION_FAILED naming each bad field. Queue existence is checked by the service.
 */
export function draftFromInput(input: AccountInput, defaults: AccountDefaults): AccountDraft {
  const problems = [...bothFolderFields(input), ...schemaProblems(AccountCreateSchema, input)];
  const draft = normalize({
    type: input.type,
    host: input.host,
    port: input.port ?? null,
    username: input.username,
    password: input.password,
    auth: authOf(input.auth),
    imapFolder: input.imapFolder ?? null,
    imapFolders: foldersGiven(input) ?? [],
    afterFetch: input.afterFetch ?? 'delete',
    moveToFolder: input.moveToFolder ?? null,
    initialImport: input.initialImport ?? 'all',
    importSince: input.importSince ?? null,
    push: input.push ?? false,
    trusted: input.trusted ?? false,
    dispatch: (input.dispatch ?? { by: 'to' }) as Dispatch,
    validity: input.validity ?? 'valid',
    comment: input.comment ?? null,
    tlsVerify: input.tlsVerify ?? true,
    pollIntervalSeconds: input.pollIntervalSeconds ?? defaults.pollIntervalSeconds,
  });
  check(draft, problems, draft.auth.method === 'password' || input.password !== undefined);
  return draft;
}

/**
 * Apply a PATCH to a stored account. An omitted password keeps the stored one; switching the type
 * re-applies the IMAP folder rule. Throws VALIDATION_FAILED naming each bad field.
 */
export function draftFromPatch(current: AccountDraft, patch: AccountPatch): AccountDraft {
  const problems: FieldProblem[] = bothFolderFields(patch);
  for (const field of ['type', 'host', 'username'] as const) {
    if (field in patch && (patch[field] === null || patch[field] === undefined))
      problems.push({ field, problem: 'must not be null' });
  }
  // One problem per field: a nulled required field is reported as such, not as the schema's text.
  for (const p of schemaProblems(AccountPatchSchema, patch))
    if (!problems.some((q) => q.field === p.field)) problems.push(p);
  const merged: AccountDraft = {
    ...current,
    ...definedOnly(patch),
    password: patch.password,
    auth: patch.auth === undefined ? current.auth : authOf(patch.auth),
    imapFolders: foldersGiven(patch) ?? current.imapFolders,
    // Leaving moveTo or since drops its folder or date unless the patch gives one (and is told it is unused).
    moveToFolder: given(
      patch.moveToFolder,
      patch.afterFetch !== undefined && patch.afterFetch !== 'moveTo',
      current.moveToFolder,
    ),
    importSince: given(
      patch.importSince,
      patch.initialImport !== undefined && patch.initialImport !== 'since',
      current.importSince,
    ),
  };
  const draft = normalize(merged);
  // Switching to a password needs one: an OAuth2 account keeps none.
  const needsPassword = draft.auth.method === 'password' && current.auth.method !== 'password';
  check(draft, problems, patch.password !== undefined || needsPassword);
  return draft;
}

/** The auth setting as given; shape problems are the schema's and checkAuth's to report. */
function authOf(auth: AccountInput['auth']): AccountAuth {
  if (auth === undefined || auth === null || auth.method !== 'oauth2') return { method: 'password' };
  return { method: 'oauth2', providerId: auth.providerId as number, delegate: auth.delegate ?? false };
}

function definedOnly(patch: AccountPatch): Partial<AccountDraft> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) if (v !== undefined && k !== 'password') out[k] = v;
  return out as Partial<AccountDraft>;
}

/** A patched value: the patch's own, none where the patch leaves the setting it belongs to, else the current one. */
function given<T>(value: T | null | undefined, dropped: boolean, current: T | null): T | null {
  if (value !== undefined) return value;
  return dropped ? null : current;
}

/** imapFolder and imapFolders say the same thing: a request gives one of them. */
function bothFolderFields(input: AccountPatch): FieldProblem[] {
  return input.imapFolder !== undefined && input.imapFolders !== undefined
    ? [{ field: 'imapFolder', problem: 'give imapFolder or imapFolders, not both' }]
    : [];
}

/** The folders a request names: imapFolders, or imapFolder as a list of one; undefined when it names none. */
function foldersGiven(input: AccountPatch): string[] | undefined {
  if (Array.isArray(input.imapFolders)) return input.imapFolders;
  if (input.imapFolders === null) return [];
  if (input.imapFolder !== undefined) return input.imapFolder === null ? [] : [input.imapFolder];
  return undefined;
}

function normalize(d: AccountDraft): AccountDraft {
  const type = d.type;
  const imap = ACCOUNT_TYPES.includes(type) && isImapType(type);
  const named = (Array.isArray(d.imapFolders) ? d.imapFolders : [])
    .map((f) => (typeof f === 'string' ? f.trim() : f))
    .filter((f) => f !== '');
  // INBOX in any case is INBOX (RFC 3501 §5.1); a folder named twice is read once.
  const folders = [...new Set(named.map((f) => (typeof f === 'string' && f.toUpperCase() === 'INBOX' ? 'INBOX' : f)))];
  const imapFolders = imap ? (folders.length > 0 ? folders : ['INBOX']) : [];
  return {
    ...d,
    host: typeof d.host === 'string' ? d.host.trim() : d.host,
    imapFolders,
    imapFolder: imapFolders[0] ?? null,
    moveToFolder: typeof d.moveToFolder === 'string' ? d.moveToFolder.trim() : d.moveToFolder,
    comment: typeof d.comment === 'string' && d.comment.trim() !== '' ? d.comment : null,
  };
}

/**
 * What the schema cannot say (account-schema.ts checks types, lengths and ranges first): a host
 * name's form, text that is only blanks, control characters, and dispatch's queueId rule. The
 * first problem of a field wins. Throws VALIDATION_FAILED with every field's problem.
 */
function check(d: AccountDraft, problems: FieldProblem[], passwordGiven: boolean): void {
  const top = (field: string) => field.split('.')[0]!;
  const seen = new Set(problems.map((p) => top(p.field)));
  const add = (field: string, problem: string) => {
    if (!seen.has(top(field))) problems.push({ field, problem });
    seen.add(top(field));
  };
  checkText('host', d.host, add);
  if (typeof d.host === 'string' && d.host.trim() !== '' && !isHostName(d.host))
    add('host', 'must be a host name or IP address, without scheme, port or path (e.g. mail.example.com)');
  checkText('username', d.username, add);
  if (d.auth.method === 'oauth2' && d.password !== undefined)
    add('password', 'is not used with auth.method "oauth2": leave it out');
  else if (passwordGiven) checkText('password', d.password, add);
  checkAuth(d.auth, add);
  checkMailboxPolicy(d, add);
  checkDispatch(d.dispatch, add);
  if (typeof d.comment === 'string' && TEXT_CONTROL_CHARACTER.test(d.comment))
    add('comment', 'must not contain control characters');
  if (problems.length > 0) throw validationError(problems);
}

function checkText(field: string, value: unknown, add: (f: string, p: string) => void): void {
  if (typeof value !== 'string') return add(field, 'is required');
  if (value.trim() === '') return add(field, 'must not be empty');
  // Control characters would let a user name or password inject IMAP/POP3 commands (CRLF) or be cut short by
  // the server (NUL); no real mail server accepts them in credentials.
  if (CONTROL_CHARACTER.test(value)) add(field, 'must not contain control characters (CR, LF, NUL, ...)');
}

function checkAuth(auth: AccountAuth, add: (f: string, p: string) => void): void {
  if (auth.method !== 'oauth2') return;
  if (auth.providerId === undefined || auth.providerId === null)
    return add('auth.providerId', 'is required when auth.method is "oauth2"');
  if (!isRowId(auth.providerId)) add('auth.providerId', `must be a whole number from 1 to ${MAX_ROW_ID}`);
}

function checkDispatch(dispatch: Dispatch, add: (f: string, p: string) => void): void {
  if (dispatch === null || typeof dispatch !== 'object')
    return add('dispatch', 'must be {"by":"to"} or {"by":"queue","queueId":N}');
  if (dispatch.by === 'to') {
    if ('queueId' in dispatch && (dispatch as { queueId?: unknown }).queueId !== undefined)
      add('dispatch.queueId', 'is only allowed when dispatch.by is "queue"');
    return;
  }
  if (dispatch.by !== 'queue') return add('dispatch.by', 'must be "to" or "queue"');
  const id = (dispatch as { queueId?: unknown }).queueId;
  if (id === undefined || id === null) return add('dispatch.queueId', 'is required when dispatch.by is "queue"');
  if (!isRowId(id)) add('dispatch.queueId', `must be a whole number from 1 to ${MAX_ROW_ID}`);
}

/**
 * What identifies the mailbox an account reads, for the one-account-per-mailbox rule: the
 * protocol family, the host in lower case without a trailing dot, the port (the family's
 * standard ports, plain or TLS, count as one server), the user name ignoring case, and the
 * folder, INBOX in any case being INBOX (RFC 3501 §5.1). The SQL of the migration that added
 * mail_account.mailbox_key computes the same for existing rows.
 */
export function mailboxKey(d: Pick<AccountDraft, 'type' | 'host' | 'port' | 'username' | 'imapFolder'>): string {
  const imap = isImapType(d.type);
  const standard = imap ? [143, 993] : [110, 995];
  const port = d.port === null || d.port === undefined || standard.includes(d.port) ? 'std' : String(d.port);
  const folder = !imap ? '' : (d.imapFolder ?? 'INBOX').toUpperCase() === 'INBOX' ? 'INBOX' : (d.imapFolder ?? '');
  return [imap ? 'imap' : 'pop3', normalHost(d.host), port, d.username.toLowerCase(), folder].join('\n');
}
