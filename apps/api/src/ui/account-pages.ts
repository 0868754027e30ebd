import type { Session } from '@mailduct/core/auth';
import {
  ACCOUNT_TYPES,
  AccountCreateSchema,
  VALIDITIES,
  type AccountPatch,
  type AccountView,
} from '@mailduct/core/accounts';
import type { FieldProblem } from '@mailduct/core/errors';
import type { ProviderView } from '@mailduct/core/oauth2';
import type { WatchInfo } from '@mailduct/core/push';
import type { QueueView } from '@mailduct/core/queues';
import { html, trusted, type SafeHtml } from './html.js';
import { csrfField, when } from './layout.js';
import { watchStatus } from './watch-status.js';

/** The overview of mail accounts (OTOBO AdminMailAccount). */
export function accountOverview(
  session: Session,
  list: { accounts: AccountView[]; total: number; q: string; watches: ReadonlyMap<number, WatchInfo | null> },
): SafeHtml {
  const { accounts, total, q } = list;
  return html`<h1>Mail accounts</h1>
<div class="toolbar">
  <a class="button" href="/accounts/new">Add mail account</a>
  <label>Filter <input type="search" id="filter" placeholder="host, user, type, comment" autocomplete="off"></label>
  <label><input type="checkbox" id="include-invalid" data-remember="mailduct.includeInvalid" checked> Include invalid mail accounts</label>
  ${total > accounts.length ? html`<form method="get" action="/accounts"><span class="muted">Showing ${accounts.length} of ${total}.</span> <input type="search" name="q" value="${q}" aria-label="Search all accounts"> <button class="secondary">Search</button></form>` : ''}
</div>
<table>
<thead><tr><th>Host / Username</th><th>Type</th><th>Comment</th><th>Validity</th><th>Changed</th><th>Created</th><th>State</th><th>Actions</th></tr></thead>
<tbody>
${accounts.map((a) => accountRow(session, a, list.watches.get(a.id)))}
</tbody>
</table>
${accounts.length === 0 ? html`<p class="muted">No mail accounts yet.</p>` : ''}`;
}

function accountRow(session: Session, a: AccountView, watch: WatchInfo | null | undefined): SafeHtml {
  const search = `${a.host} ${a.username} ${a.type} ${a.comment ?? ''}`.toLowerCase();
  const comment = a.comment && a.comment.length > 20 ? `${a.comment.slice(0, 20)}…` : (a.comment ?? '');
  return html`<tr class="${a.validity === 'valid' ? '' : 'invalid'}" data-search="${search}" data-account-id="${a.id}">
  <td><a href="/accounts/${a.id}">${a.host} / ${a.username}</a></td>
  <td>${a.type}</td>
  <td title="${a.comment ?? ''}">${comment}</td>
  <td class="validity">${a.validity}</td>
  <td>${when(a.updatedAt)}</td>
  <td>${when(a.createdAt)}</td>
  <td>${stateText(a)}${a.push ? html`<br>${watchStatus(a, watch)}` : ''}</td>
  <td>
    <button type="button" class="secondary" data-fetch="${a.id}">Fetch mail</button>
    <span class="result" id="fetch-result-${a.id}" role="status"></span>
    <form class="inline" method="post" action="/accounts/${a.id}/delete" data-confirm="Do you really want to delete this mail account?">${csrfField(session)}<button class="danger" type="submit" aria-label="Delete ${a.host} / ${a.username}">Delete</button></form>
    <a href="/messages?accountId=${a.id}">Messages</a>
  </td>
</tr>`;
}

function stateText(a: AccountView): SafeHtml {
  const s = a.state;
  if (a.auth.method === 'oauth2' && a.auth.state !== 'ready')
    return html`<span class="badge state-error">${a.auth.state === 'reauthorization_required' ? 'Re-authorization required' : 'Authorization required'}</span> <a href="/accounts/${a.id}#oauth2">Authorize</a>`;
  if (s.parkedReason) return html`<span class="state-error">Parked: ${s.parkedReason}</span>`;
  if (s.lastError)
    return html`<span class="state-error">${s.lastError.class}: ${s.lastError.message}</span><br><span class="muted">last run ${when(s.lastRunAt)}</span>`;
  if (s.lastRunAt)
    return html`<span class="state-ok">OK</span> <span class="muted">last run ${when(s.lastRunAt)}${s.oversizedCount ? `, ${s.oversizedCount} oversized left on server` : ''}</span>`;
  return html`<span class="muted">not fetched yet</span>`;
}

/** What the add/edit form shows: a stored account, or what was typed. */
export interface AccountFormValues {
  type: string;
  username: string;
  host: string;
  port: string;
  /** One folder a line. */
  imapFolders: string;
  afterFetch: string;
  moveToFolder: string;
  initialImport: string;
  /** YYYY-MM-DD */
  importSince: string;
  push: string;
  trusted: string;
  dispatch: string;
  queueId: string;
  validity: string;
  comment: string;
  tlsVerify: string;
  pollIntervalSeconds: string;
  /** "password", or the id of the OAuth2 provider the account signs in with. */
  auth: string;
  delegate: string;
}

export function formValuesOf(a: AccountView | null, defaults: { pollIntervalSeconds: number }): AccountFormValues {
  return {
    type: a?.type ?? 'IMAPS',
    username: a?.username ?? '',
    host: a?.host ?? '',
    port: a?.port ? String(a.port) : '',
    imapFolders: (a?.imapFolders.length ? a.imapFolders : ['INBOX']).join('\n'),
    afterFetch: a?.afterFetch ?? 'delete',
    moveToFolder: a?.moveToFolder ?? '',
    initialImport: a?.initialImport ?? 'all',
    importSince: a?.importSince?.slice(0, 10) ?? '',
    push: a?.push ? '1' : '0',
    trusted: a?.trusted ? '1' : '0',
    dispatch: a?.dispatch.by ?? 'to',
    queueId: a?.dispatch.by === 'queue' ? String(a.dispatch.queueId) : '',
    validity: a?.validity ?? 'valid',
    comment: a?.comment ?? '',
    tlsVerify: a && !a.tlsVerify ? '0' : '1',
    pollIntervalSeconds: String(a?.pollIntervalSeconds ?? defaults.pollIntervalSeconds),
    auth: a?.auth.method === 'oauth2' ? String(a.auth.providerId) : 'password',
    delegate: a?.auth.method === 'oauth2' && a.auth.delegate ? '1' : '0',
  };
}

/** Map a submitted form to an account change; an empty password keeps the stored one. */
export function inputFromForm(f: Record<string, string | undefined>): AccountPatch {
  const input: AccountPatch = {
    type: f.type as AccountPatch['type'],
    host: (f.host ?? '').trim(),
    username: f.username ?? '',
    port: f.port?.trim() ? Number(f.port) : null,
    ...mailboxPolicyFromForm(f),
    push: f.push === '1' && (f.type ?? '').startsWith('IMAP'),
    trusted: f.trusted === '1',
    dispatch:
      f.dispatch === 'queue'
        ? ({ by: 'queue', queueId: Number(f.queueId) || (undefined as unknown as number) } as const)
        : { by: 'to' },
    validity: f.validity as AccountPatch['validity'],
    comment: f.comment?.trim() ? f.comment : null,
    tlsVerify: f.tlsVerify !== '0',
    pollIntervalSeconds: f.pollIntervalSeconds?.trim() ? Number(f.pollIntervalSeconds) : undefined,
    auth:
      f.auth && f.auth !== 'password'
        ? { method: 'oauth2', providerId: Number(f.auth), delegate: f.delegate === '1' }
        : { method: 'password' },
  };
  if (f.password && input.auth?.method === 'password') input.password = f.password;
  return input;
}

/** Folders, after-fetch policy and initial import from the form: what does not apply is left out. */
function mailboxPolicyFromForm(f: Record<string, string | undefined>): AccountPatch {
  const folders = (f.imapFolders ?? '')
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter(Boolean);
  const afterFetch = (f.afterFetch || 'delete') as AccountPatch['afterFetch'];
  const initialImport = (f.initialImport || 'all') as AccountPatch['initialImport'];
  return {
    imapFolders: folders.length > 0 ? folders : null,
    afterFetch,
    moveToFolder: afterFetch === 'moveTo' ? (f.moveToFolder ?? '').trim() || null : null,
    initialImport,
    importSince:
      initialImport === 'since'
        ? /^\d{4}-\d{2}-\d{2}$/.test(f.importSince ?? '')
          ? `${f.importSince}T00:00:00Z`
          : (f.importSince ?? null)
        : null,
  };
}

/** A bound of a field of the one account schema (core's accounts/account-schema.ts). */
const bound = (name: keyof typeof AccountCreateSchema.properties, key: 'maxLength' | 'minimum' | 'maximum') =>
  (AccountCreateSchema.properties[name] as unknown as Record<string, number>)[key];
/** The form's limits, from the schema the API validates with. */
const LIMITS = {
  username: bound('username', 'maxLength'),
  password: bound('password', 'maxLength'),
  host: bound('host', 'maxLength'),
  imapFolder: bound('imapFolder', 'maxLength'),
  comment: bound('comment', 'maxLength'),
  pollMin: bound('pollIntervalSeconds', 'minimum'),
  pollMax: bound('pollIntervalSeconds', 'maximum'),
};

/** What the add/edit form shows: the account (none when adding), the values, the choices, the problems, its watch. */
interface AccountFormData {
  account: AccountView | null;
  values: AccountFormValues;
  queues: QueueView[];
  providers: ProviderView[];
  problems: FieldProblem[];
  watch?: WatchInfo | null;
}

/** Add or edit form, with the field errors of a failed save next to their fields. */
export function accountForm(session: Session, o: AccountFormData): SafeHtml {
  const { values: v, account } = o;
  const err = (field: string) => {
    const p = o.problems.filter(
      (x) =>
        x.field === field ||
        (field === 'queueId' && x.field.startsWith('dispatch')) ||
        (field === 'imapFolders' && x.field.startsWith('imapFolder')) ||
        (field === 'auth' && x.field.startsWith('auth')),
    );
    return p.length ? html`<span class="error" id="err-${field}">${p.map((x) => x.problem).join('; ')}</span>` : '';
  };
  const described = (field: string) =>
    o.problems.some((x) => x.field === field) ? trusted(`aria-invalid="true" aria-describedby="err-${field}"`) : '';
  const option = (value: string, label: string, current: string) =>
    html`<option value="${value}" ${value === current ? trusted('selected') : ''}>${label}</option>`;
  return html`<h1>${account ? 'Edit mail account' : 'Add mail account'}</h1>
<form method="post" id="account-form" action="${account ? `/accounts/${account.id}` : '/accounts'}" ${account ? trusted(`data-account-id="${account.id}"`) : ''} novalidate>
${csrfField(session)}
<fieldset>
  <div class="field"><label class="required" for="type">Type</label><select id="type" name="type" ${described('type')}>${ACCOUNT_TYPES.map((t) => option(t, t, v.type))}</select>${err('type')}</div>
  <div class="field"><label class="required" for="username">Username</label><input type="text" id="username" name="username" maxlength="${LIMITS.username}" value="${v.username}" autocomplete="off" ${described('username')}>${err('username')}</div>
  <div class="field"><label class="required" for="auth">Sign-in</label><select id="auth" name="auth" ${described('auth')}>${option('password', 'Password', v.auth)}${o.providers.map((p) => option(String(p.id), `OAuth2: ${p.name}`, v.auth))}</select><span class="hint">Microsoft 365 and Google Workspace take OAuth2 only: add their provider under "OAuth2 providers" first.</span>${err('auth')}</div>
  <div class="field" id="row-delegate"><label for="delegate">Token of a delegate</label><select id="delegate" name="delegate">${option('0', 'No: the mailbox itself signs in', v.delegate)}${option('1', 'Yes: a delegate signs in for this shared mailbox', v.delegate)}</select></div>
  <div class="field" id="row-password"><label class="${account ? '' : 'required'}" for="password">Password</label><input type="password" id="password" name="password" maxlength="${LIMITS.password}" autocomplete="new-password" ${account ? trusted('placeholder="•••••••• (unchanged)"') : ''} ${described('password')}>${account ? html`<span class="hint">Leave empty to keep the stored password.</span>` : ''}${err('password')}</div>
  <div class="field"><label class="required" for="host">Host</label><input type="text" id="host" name="host" maxlength="${LIMITS.host}" value="${v.host}" placeholder="mail.example.com" ${described('host')}>${err('host')}</div>
  <div class="field"><label for="port">Port</label><input type="number" id="port" name="port" min="1" max="65535" value="${v.port}" placeholder="default of the type" ${described('port')}>${err('port')}</div>
  <div class="field" id="row-imapFolders"><label for="imapFolders">IMAP folders</label><textarea id="imapFolders" name="imapFolders" rows="2" ${described('imapFolders')}>${v.imapFolders}</textarea><span class="hint">One folder a line, each read with its own cursor; other folders stay untouched.</span>${err('imapFolders')}</div>
  <div class="field"><label for="afterFetch">After fetching</label><select id="afterFetch" name="afterFetch" ${described('afterFetch')}>${option('delete', 'Delete the mail on the server (OTOBO)', v.afterFetch)}${option('markSeen', 'Mark it read (IMAP)', v.afterFetch)}${option('moveTo', 'Move it to a folder (IMAP)', v.afterFetch)}${option('keep', 'Keep it as it is', v.afterFetch)}</select><span class="hint">Done only once the mail is stored and its ticket job queued.</span>${err('afterFetch')}</div>
  <div class="field" id="row-moveToFolder"><label class="required" for="moveToFolder">Move to folder</label><input type="text" id="moveToFolder" name="moveToFolder" maxlength="${LIMITS.imapFolder}" value="${v.moveToFolder}" ${described('moveToFolder')}>${err('moveToFolder')}</div>
  <div class="field"><label for="initialImport">Mail already there</label><select id="initialImport" name="initialImport" ${described('initialImport')}>${option('all', 'Fetch all of it', v.initialImport)}${option('none', 'Fetch none: only mail arriving from now on', v.initialImport)}${option('since', 'Fetch mail since a date', v.initialImport)}</select><span class="hint">Mail left out stays on the server untouched. "Preview" shows what would be fetched.</span>${err('initialImport')}</div>
  <div class="field" id="row-importSince"><label class="required" for="importSince">Since</label><input type="date" id="importSince" name="importSince" value="${v.importSince}" ${described('importSince')}>${err('importSince')}</div>
  <div class="field" id="row-push"><label for="push">New mail</label><select id="push" name="push" ${described('push')}>${option('0', 'Fetched every poll interval', v.push)}${option('1', 'Pushed: fetched within seconds (IMAP IDLE)', v.push)}</select><span class="hint">Push holds one connection per folder; the poll interval stays as the safety net.</span>${account ? watchStatus(account, o.watch) : ''}${err('push')}</div>
  <div class="field"><label class="required" for="trusted">Trusted</label><select id="trusted" name="trusted">${option('0', 'No', v.trusted)}${option('1', 'Yes', v.trusted)}</select><span class="hint">If trusted, X-OTOBO headers in fetched mail (queue, priority, …) are used.</span></div>
  <div class="field"><label class="required" for="dispatch">Dispatching</label><select id="dispatch" name="dispatch">${option('to', 'Dispatching by email To: field.', v.dispatch)}${option('queue', 'Dispatching by selected Queue.', v.dispatch)}</select>${err('dispatch')}</div>
  <div class="field" id="row-queueId"><label class="required" for="queueId">Queue</label><select id="queueId" name="queueId" ${described('queueId')}><option value="">– select –</option>${o.queues.filter((q) => q.valid).map((q) => option(String(q.id), q.name, v.queueId))}</select>${err('queueId')}</div>
  <div class="field"><label class="required" for="validity">Validity</label><select id="validity" name="validity">${VALIDITIES.map((x) => option(x, x, v.validity))}</select>${err('validity')}</div>
  <div class="field"><label for="comment">Comment</label><input type="text" id="comment" name="comment" maxlength="${LIMITS.comment}" value="${v.comment}" ${described('comment')}>${err('comment')}</div>
  <div class="field"><label for="tlsVerify">TLS verification</label><select id="tlsVerify" name="tlsVerify">${option('1', 'Verify the server certificate', v.tlsVerify)}${option('0', 'Do not verify (insecure)', v.tlsVerify)}</select></div>
  <div class="field"><label for="pollIntervalSeconds">Poll interval (seconds)</label><input type="number" id="pollIntervalSeconds" name="pollIntervalSeconds" min="${LIMITS.pollMin}" max="${LIMITS.pollMax}" value="${v.pollIntervalSeconds}" ${described('pollIntervalSeconds')}>${err('pollIntervalSeconds')}</div>
</fieldset>
<div class="actions">
  <button type="submit" name="after" value="continue">Save</button>
  <button type="submit" name="after" value="finish">Save and finish</button>
  <button type="button" class="secondary" id="test-connection">Test connection</button><span id="test-result" class="result" role="status"></span>
  <button type="button" class="secondary" id="preview-import">Preview</button>
  <a href="/accounts">Cancel</a>
</div>
<div id="preview-result" class="preview" role="status"></div>
</form>`;
}
