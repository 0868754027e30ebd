import type { Session } from '@mailduct/core/auth';
import type { FieldProblem } from '@mailduct/core/errors';
import {
  DESCRIPTION_MAX,
  WEBHOOK_EVENTS,
  WEBHOOK_URL_MAX,
  type DeliveryView,
  type WebhookView,
} from '@mailduct/core/webhooks';
import { html, trusted, type SafeHtml } from './html.js';
import { csrfField, when } from './layout.js';

const EVENT_LABELS: Record<string, string> = {
  'ticket.dispatched': 'a ticket was dispatched (with MAILDUCT_FORWARD_TICKETS=true)',
  'message.quarantined': 'a message was quarantined',
  'message.oversized': 'a message was left on the server as too large',
  'account.failed': 'an account failed 3 runs in a row',
  'account.parked': 'an account was parked',
  'account.recovered': 'an account fetches again',
  'account.reauthorization_required': 'an account needs OAuth2 re-authorization',
};

/** How a webhook stands: sending, failing since when, disabled (by mailduct, with the reason). */
function stateOf(w: WebhookView): SafeHtml {
  if (!w.enabled && w.disabledReason)
    return html`<span class="badge state-error">Disabled by mailduct</span> <span class="muted">${w.disabledReason}</span>`;
  if (!w.enabled) return html`<span class="badge">Disabled</span>`;
  if (w.failingSince) return html`<span class="badge state-error">Failing since ${when(w.failingSince)}</span>`;
  return html`<span class="state-ok">Enabled</span>`;
}

/** The list of webhooks. */
export function webhookOverview(session: Session, hooks: WebhookView[]): SafeHtml {
  return html`<h1>Webhooks</h1>
<p class="muted">Where mailduct posts signed events (Standard Webhooks): tickets for a ticket system, account health for the people who fix it.</p>
<div class="toolbar"><a class="button" href="/webhooks/new">Add webhook</a></div>
<table>
<thead><tr><th>URL</th><th>Events</th><th>State</th><th>Description</th><th>Actions</th></tr></thead>
<tbody>${hooks.map(
    (w) => html`<tr data-webhook-id="${w.id}">
  <td><a href="/webhooks/${w.id}">${w.url}</a></td><td>${w.events.join(', ')}</td><td>${stateOf(w)}</td><td>${w.description ?? ''}</td>
  <td><form class="inline" method="post" action="/webhooks/${w.id}/delete" data-confirm="Do you really want to delete the webhook ${w.url}?">${csrfField(session)}<button class="danger" type="submit" aria-label="Delete ${w.url}">Delete</button></form></td>
</tr>`,
  )}</tbody>
</table>
${hooks.length === 0 ? html`<p class="muted">No webhooks yet.</p>` : ''}`;
}

/** What the form shows: a stored webhook, or what was typed. */
export interface WebhookFormValues {
  url: string;
  events: string[];
  enabled: boolean;
  description: string;
}

export function webhookValuesOf(w: WebhookView | null): WebhookFormValues {
  return { url: w?.url ?? '', events: w?.events ?? [], enabled: w?.enabled ?? true, description: w?.description ?? '' };
}

/** A submitted form's values (each event a checkbox `event:<type>`). */
export function webhookValuesFromForm(f: Record<string, string | undefined>): WebhookFormValues {
  return {
    url: (f.url ?? '').trim(),
    events: WEBHOOK_EVENTS.filter((e) => f[`event:${e}`] === '1'),
    enabled: f.enabled === '1',
    description: (f.description ?? '').trim(),
  };
}

/** Add or edit form, with the field errors of a failed save next to their fields. */
export function webhookForm(
  session: Session,
  o: { webhook: WebhookView | null; values: WebhookFormValues; problems: FieldProblem[] },
): SafeHtml {
  const { values: v, webhook } = o;
  const err = (field: string) => {
    const p = o.problems.filter(
      (x) => x.field === field || x.field.startsWith(`${field}.`) || x.field.startsWith(`${field}/`),
    );
    return p.length ? html`<span class="error" id="err-${field}">${p.map((x) => x.problem).join('; ')}</span>` : '';
  };
  const checked = (on: boolean) => (on ? trusted('checked') : '');
  return html`<h1>${webhook ? 'Edit webhook' : 'Add webhook'}</h1>
${webhook?.disabledReason && !webhook.enabled ? html`<p class="notice error" role="alert">mailduct disabled this webhook: ${webhook.disabledReason}. Enable it again once the receiver answers.</p>` : ''}
<form method="post" id="webhook-form" action="${webhook ? `/webhooks/${webhook.id}` : '/webhooks'}" novalidate>
${csrfField(session)}
<fieldset>
  <div class="field"><label class="required" for="w-url">URL</label><input type="url" id="w-url" name="url" maxlength="${WEBHOOK_URL_MAX}" value="${v.url}" placeholder="https://desk.example.com/hooks/mailduct">${err('url')}</div>
  <div class="field" id="w-events"><label class="required">Events</label><div class="choices">${WEBHOOK_EVENTS.map(
    (e) =>
      html`<label><input type="checkbox" name="event:${e}" value="1" ${checked(v.events.includes(e))}> <code>${e}</code> — ${EVENT_LABELS[e] ?? ''}</label>`,
  )}</div>${err('events')}</div>
  <div class="field"><label for="w-description">Description</label><input type="text" id="w-description" name="description" maxlength="${DESCRIPTION_MAX}" value="${v.description}">${err('description')}</div>
  <div class="field"><label for="w-enabled">Enabled</label><div class="choices"><label><input type="checkbox" id="w-enabled" name="enabled" value="1" ${checked(v.enabled)}> events are sent</label></div>${err('enabled')}</div>
</fieldset>
<div class="actions"><button type="submit">Save</button><a href="/webhooks">Cancel</a></div>
</form>`;
}

/** The page after adding a webhook: its signing secret, this once. */
export function webhookSecretShown(w: WebhookView & { secret: string }): SafeHtml {
  return html`<h1>Webhook added</h1>
<p role="status">Events for <code>${w.url}</code> are signed with this secret. Copy it now: it is stored encrypted and <strong>never shown again</strong>.</p>
<p><input type="text" id="webhook-secret" readonly value="${w.secret}" aria-label="Signing secret" size="60"></p>
<p class="muted">Verify each request with a Standard Webhooks library (headers webhook-id, webhook-timestamp, webhook-signature); deduplicate by webhook-id.</p>
<p><a class="button" href="/webhooks/${w.id}">Go to the webhook</a> <a href="/webhooks">Back to the webhooks</a></p>`;
}

/** The delivery log: the newest deliveries, each with its attempts, and redelivery. */
export function deliveryLog(session: Session, webhookId: number, deliveries: DeliveryView[]): SafeHtml {
  const attempt = (a: DeliveryView['log'][number]) =>
    html`<li>${when(a.at)} · attempt ${a.attempt} · ${a.statusCode === null ? html`<span class="state-error">${a.error ?? 'failed'}</span>` : a.statusCode < 300 ? html`<span class="state-ok">${a.statusCode}</span>` : html`<span class="state-error">${a.statusCode}</span>`} · ${a.latencyMs} ms</li>`;
  return html`<h2 id="deliveries">Delivery log</h2>
<p class="muted">The newest 50 events. Redeliver sends the same event again (same body and webhook-id).</p>
<table id="delivery-log">
<thead><tr><th>Created</th><th>Event</th><th>Status</th><th>Attempts</th><th>Last error</th><th>Actions</th></tr></thead>
<tbody>${deliveries.map(
    (d) => html`<tr data-delivery-id="${d.id}">
  <td>${when(d.createdAt)}</td><td><code>${d.event}</code><br><span class="muted">${d.eventId}</span></td>
  <td><span class="${d.status === 'delivered' ? 'state-ok' : d.status === 'failed' ? 'state-error' : ''}">${d.status}</span>${d.nextAttemptAt ? html`<br><span class="muted">next ${when(d.nextAttemptAt)}</span>` : ''}</td>
  <td>${d.log.length > 0 ? html`<details><summary>${d.attempts}</summary><ul>${d.log.map(attempt)}</ul></details>` : String(d.attempts)}</td>
  <td>${d.lastError ?? ''}</td>
  <td><form class="inline" method="post" action="/webhooks/${webhookId}/deliveries/${d.id}/redeliver">${csrfField(session)}<button class="secondary" type="submit" aria-label="Redeliver ${d.eventId}">Redeliver</button></form></td>
</tr>`,
  )}</tbody>
</table>
${deliveries.length === 0 ? html`<p class="muted">Nothing sent yet.</p>` : ''}`;
}
