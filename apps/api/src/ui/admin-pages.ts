import type { Session } from '@mailduct/core/auth';
import type { FieldProblem } from '@mailduct/core/errors';
import type { MessageView } from '@mailduct/core/messages';
import type { AddressView, QueueView } from '@mailduct/core/queues';
import { html, trusted, type SafeHtml } from './html.js';
import { csrfField, when } from './layout.js';

/** The sign-in form. */
export function loginPage(next: string, error: string | null): SafeHtml {
  return html`<section class="login">
<h1>Sign in to mailduct</h1>
<form method="post" action="/login">
  <input type="hidden" name="next" value="${next}">
  <div class="field"><label class="required" for="token">API token</label><input type="password" id="token" name="token" autocomplete="current-password" required autofocus>${error ? html`<span class="error" role="alert">${error}</span>` : ''}<span class="hint">Create one with <code>npx mailduct token create --name you</code>, or use MAILDUCT_ADMIN_TOKEN.</span></div>
  <div class="actions"><button type="submit">Sign in</button></div>
</form>
</section>`;
}

const errorOf = (problems: FieldProblem[], field: string) => {
  const p = problems.filter((x) => x.field === field);
  return p.length ? html`<span class="error" id="err-${field}">${p.map((x) => x.problem).join('; ')}</span>` : '';
};
const check = (on: boolean) => (on ? trusted('checked') : '');

/** Queues: list with add form; each row editable inline. */
export function queuesPage(
  session: Session,
  queues: QueueView[],
  problems: FieldProblem[],
  typed: Record<string, string>,
): SafeHtml {
  return html`<h1>Queues</h1>
<table>
<thead><tr><th>Name</th><th>Comment</th><th>Valid</th><th></th></tr></thead>
<tbody>${queues.map(
    (q) => html`<tr class="${q.valid ? '' : 'invalid'}"><td colspan="3">
<form method="post" action="/queues/${q.id}" class="inline">${csrfField(session)}
<label>Name <input type="text" name="name" value="${q.name}" maxlength="200" required></label>
<label>Comment <input type="text" name="comment" value="${q.comment ?? ''}" maxlength="250"></label>
<label><input type="checkbox" name="valid" value="1" ${check(q.valid)}> valid</label>
<button class="secondary" type="submit">Save</button></form></td>
<td><form method="post" action="/queues/${q.id}/delete" class="inline" data-confirm="Do you really want to delete the queue ${q.name}?">${csrfField(session)}<button class="danger" type="submit">Delete</button></form></td></tr>`,
  )}</tbody>
</table>
<h2>Add queue</h2>
<form method="post" action="/queues" novalidate>${csrfField(session)}
<fieldset>
<div class="field"><label class="required" for="q-name">Name</label><input type="text" id="q-name" name="name" maxlength="200" value="${typed.name ?? ''}">${errorOf(problems, 'name')}</div>
<div class="field"><label for="q-comment">Comment</label><input type="text" id="q-comment" name="comment" maxlength="250" value="${typed.comment ?? ''}">${errorOf(problems, 'comment')}</div>
<div class="field"><label for="q-valid">Valid</label><input type="checkbox" id="q-valid" name="valid" value="1" checked></div>
</fieldset>
<div class="actions"><button type="submit">Add queue</button></div>
</form>`;
}

/** System addresses: list with add form. */
export function addressesPage(
  session: Session,
  addresses: AddressView[],
  queues: QueueView[],
  problems: FieldProblem[],
  typed: Record<string, string>,
): SafeHtml {
  const queueOptions = (current: string) =>
    queues.map(
      (q) => html`<option value="${q.id}" ${String(q.id) === current ? trusted('selected') : ''}>${q.name}</option>`,
    );
  return html`<h1>System addresses</h1>
<p class="muted">Mail to a system address is dispatched into its queue (accounts dispatching by To:).</p>
<table>
<thead><tr><th>Address</th><th>Display name</th><th>Queue</th><th>Valid</th><th></th></tr></thead>
<tbody>${addresses.map(
    (a) => html`<tr class="${a.valid ? '' : 'invalid'}">
<td colspan="4"><form method="post" action="/system-addresses/${a.id}" class="inline">${csrfField(session)}
<input type="email" name="address" value="${a.address}" aria-label="Address" required>
<input type="text" name="displayName" value="${a.displayName ?? ''}" aria-label="Display name">
<select name="queueId" aria-label="Queue">${queueOptions(String(a.queueId))}</select>
<label><input type="checkbox" name="valid" value="1" ${check(a.valid)}> valid</label>
<button class="secondary" type="submit">Save</button></form></td>
<td><form method="post" action="/system-addresses/${a.id}/delete" class="inline" data-confirm="Do you really want to delete ${a.address}?">${csrfField(session)}<button class="danger" type="submit">Delete</button></form></td></tr>`,
  )}</tbody>
</table>
<h2>Add system address</h2>
<form method="post" action="/system-addresses" novalidate>${csrfField(session)}
<fieldset>
<div class="field"><label class="required" for="a-address">Address</label><input type="email" id="a-address" name="address" maxlength="200" value="${typed.address ?? ''}">${errorOf(problems, 'address')}</div>
<div class="field"><label for="a-display">Display name</label><input type="text" id="a-display" name="displayName" maxlength="200" value="${typed.displayName ?? ''}">${errorOf(problems, 'displayName')}</div>
<div class="field"><label class="required" for="a-queue">Queue</label><select id="a-queue" name="queueId"><option value="">– select –</option>${queueOptions(typed.queueId ?? '')}</select>${errorOf(problems, 'queueId')}</div>
</fieldset>
<div class="actions"><button type="submit">Add system address</button></div>
</form>`;
}

/** Stored messages, newest first; quarantined ones can be reprocessed. */
export function messagesPage(
  session: Session,
  messages: MessageView[],
  total: number,
  filter: { accountId?: number; status?: string },
): SafeHtml {
  const statuses = ['', 'dispatched', 'ignored', 'quarantined'];
  return html`<h1>Messages</h1>
<form method="get" action="/messages" class="toolbar">
  <label>Account id <input type="number" name="accountId" min="1" value="${filter.accountId ?? ''}"></label>
  <label>Status <select name="status">${statuses.map((s) => html`<option value="${s}" ${s === (filter.status ?? '') ? trusted('selected') : ''}>${s || 'any'}</option>`)}</select></label>
  <button class="secondary">Show</button> <span class="muted">${total} message(s)</span>
</form>
<table>
<thead><tr><th>Received</th><th>Status</th><th>Queue</th><th>Subject</th><th>From</th><th>Account</th><th></th></tr></thead>
<tbody>${messages.map(
    (m) => html`<tr data-message-id="${m.id}">
<td>${when(m.receivedAt)}</td>
<td class="${m.status === 'quarantined' ? 'state-error' : ''}">${m.status}${m.error ? html`<br><span class="muted">${m.error}</span>` : ''}</td>
<td>${m.queue?.name ?? '—'}</td>
<td>${m.subject ?? ''}</td>
<td>${m.from ?? ''}</td>
<td>${m.accountId ?? '—'}</td>
<td><a href="/api/v1/messages/${m.id}/raw">Raw mail</a>
${m.status === 'quarantined' ? html`<form method="post" action="/messages/${m.id}/reprocess" class="inline">${csrfField(session)}<button class="secondary" type="submit">Reprocess</button></form>` : ''}</td>
</tr>`,
  )}</tbody>
</table>`;
}
