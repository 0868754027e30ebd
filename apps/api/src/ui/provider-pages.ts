import type { Session } from '@mailduct/core/auth';
import type { FieldProblem } from '@mailduct/core/errors';
import {
  OAUTH2_GRANTS,
  OAUTH2_KINDS,
  PROVIDER_LIMITS as L,
  type ProviderCreateBody,
  type ProviderView,
} from '@mailduct/core/oauth2';
import { html, trusted, type SafeHtml } from './html.js';
import { csrfField, when } from './layout.js';

const GRANT_LABELS: Record<string, string> = {
  authorization_code: 'Sign in through the browser (authorization code with PKCE)',
  device_code: 'Sign in with a code on any device (device authorization)',
  client_credentials: 'App-only, nobody signs in (client credentials)',
};
const KIND_LABELS: Record<string, string> = {
  microsoft: 'Microsoft 365 (Entra ID)',
  google: 'Google Workspace',
  generic: 'Other OAuth 2.0 / OpenID provider',
};

/** Whether a date is within 14 days from now (or past): the UI warns. */
export function expiresSoon(iso: string | null | undefined): boolean {
  return Boolean(iso) && Date.parse(iso!) - Date.now() < 14 * 24 * 3600 * 1000;
}

/** The list of OAuth2 providers (OTOBO: OAuth2 token configurations). */
export function providerOverview(session: Session, providers: ProviderView[]): SafeHtml {
  return html`<h1>OAuth2 providers</h1>
<p class="muted">The client registrations Microsoft 365, Google Workspace and other mailboxes sign in with. A mail account chooses one under "Sign-in".</p>
<div class="toolbar"><a class="button" href="/oauth2-providers/new">Add OAuth2 provider</a></div>
<table>
<thead><tr><th>Name</th><th>Kind</th><th>Grant</th><th>Client id</th><th>Accounts</th><th>Client secret</th><th>Actions</th></tr></thead>
<tbody>${providers.map(
    (p) => html`<tr data-provider-id="${p.id}">
  <td><a href="/oauth2-providers/${p.id}">${p.name}</a></td><td>${KIND_LABELS[p.kind] ?? p.kind}</td><td>${p.grant}</td><td>${p.clientId}</td><td>${String(p.accounts)}</td>
  <td>${p.hasClientSecret ? (expiresSoon(p.clientSecretExpiresAt) ? html`<span class="state-error">expires ${when(p.clientSecretExpiresAt)}</span>` : 'stored') : html`<span class="muted">none (public client)</span>`}</td>
  <td><form class="inline" method="post" action="/oauth2-providers/${p.id}/delete" data-confirm="Do you really want to delete the OAuth2 provider ${p.name}?">${csrfField(session)}<button class="danger" type="submit" aria-label="Delete ${p.name}">Delete</button></form></td>
</tr>`,
  )}</tbody>
</table>
${providers.length === 0 ? html`<p class="muted">No OAuth2 providers yet.</p>` : ''}`;
}

/** What the provider form shows: a stored provider, or what was typed. */
export type ProviderFormValues = Record<
  | 'name'
  | 'kind'
  | 'tenant'
  | 'issuerUrl'
  | 'authorization'
  | 'token'
  | 'deviceAuthorization'
  | 'revocation'
  | 'clientId'
  | 'scopes'
  | 'grant'
  | 'clientSecretExpiresAt',
  string
>;

export function providerValuesOf(p: ProviderView | null): ProviderFormValues {
  const own = (v: string | null | undefined) => (p?.kind === 'generic' ? (v ?? '') : '');
  return {
    name: p?.name ?? '',
    kind: p?.kind ?? 'microsoft',
    tenant: p?.tenant ?? '',
    issuerUrl: p?.issuerUrl ?? '',
    authorization: own(p?.endpoints.authorization),
    token: own(p?.endpoints.token),
    deviceAuthorization: own(p?.endpoints.deviceAuthorization),
    revocation: own(p?.endpoints.revocation),
    clientId: p?.clientId ?? '',
    scopes: p?.scopes ?? '',
    grant: p?.grant ?? 'authorization_code',
    clientSecretExpiresAt: p?.clientSecretExpiresAt?.slice(0, 10) ?? '',
  };
}

/** A submitted provider form as a create (or PATCH) body; an empty secret keeps the stored one. */
export function providerFromForm(f: Record<string, string | undefined>, editing: boolean): ProviderCreateBody {
  const text = (v: string | undefined) => (v?.trim() ? v.trim() : null);
  const generic = f.kind === 'generic';
  const body: ProviderCreateBody = {
    name: f.name ?? '',
    kind: f.kind as ProviderCreateBody['kind'],
    tenant: f.kind === 'microsoft' ? text(f.tenant) : null,
    issuerUrl: generic ? text(f.issuerUrl) : null,
    endpoints: generic
      ? {
          authorization: text(f.authorization),
          token: text(f.token),
          deviceAuthorization: text(f.deviceAuthorization),
          revocation: text(f.revocation),
        }
      : {},
    clientId: f.clientId ?? '',
    scopes: text(f.scopes),
    grant: f.grant as ProviderCreateBody['grant'],
    clientSecretExpiresAt: text(f.clientSecretExpiresAt) ? `${f.clientSecretExpiresAt!.trim()}T00:00:00Z` : null,
  };
  if (f.removeSecret === '1') body.clientSecret = null;
  else if (f.clientSecret) body.clientSecret = f.clientSecret;
  else if (!editing) body.clientSecret = null;
  return body;
}

/** Add or edit form, with the field errors of a failed save next to their fields. */
export function providerForm(
  session: Session,
  o: { provider: ProviderView | null; values: ProviderFormValues; problems: FieldProblem[]; redirectUri: string },
): SafeHtml {
  const { values: v, provider } = o;
  const err = (field: string) => {
    const p = o.problems.filter((x) => x.field === field || x.field === `endpoints.${field}`);
    return p.length ? html`<span class="error" id="err-${field}">${p.map((x) => x.problem).join('; ')}</span>` : '';
  };
  const input = (name: keyof ProviderFormValues, label: string, max: number, extra = '') =>
    html`<div class="field" id="row-${name}"><label for="p-${name}">${label}</label><input type="text" id="p-${name}" name="${name}" maxlength="${max}" value="${v[name]}" ${trusted(extra)}>${err(name)}</div>`;
  const option = (value: string, label: string, current: string) =>
    html`<option value="${value}" ${value === current ? trusted('selected') : ''}>${label}</option>`;
  return html`<h1>${provider ? 'Edit OAuth2 provider' : 'Add OAuth2 provider'}</h1>
<p class="hint">Register <code>${o.redirectUri}</code> as redirect URI at the provider (authorization code grant).</p>
<form method="post" id="provider-form" action="${provider ? `/oauth2-providers/${provider.id}` : '/oauth2-providers'}" novalidate>
${csrfField(session)}
<fieldset>
  <div class="field"><label class="required" for="p-name">Name</label><input type="text" id="p-name" name="name" maxlength="${L.name}" value="${v.name}">${err('name')}</div>
  <div class="field"><label class="required" for="p-kind">Kind</label><select id="p-kind" name="kind">${OAUTH2_KINDS.map((k) => option(k, KIND_LABELS[k]!, v.kind))}</select>${err('kind')}</div>
  ${input('tenant', 'Tenant (id, domain, organizations or common)', L.tenant, 'placeholder="organizations"')}
  ${input('issuerUrl', 'Issuer URL (OpenID discovery)', L.url, 'placeholder="https://login.example.com"')}
  ${input('authorization', 'Authorization endpoint', L.url)}
  ${input('token', 'Token endpoint', L.url)}
  ${input('deviceAuthorization', 'Device authorization endpoint', L.url)}
  ${input('revocation', 'Revocation endpoint', L.url)}
  <div class="field"><label class="required" for="p-clientId">Client id</label><input type="text" id="p-clientId" name="clientId" maxlength="${L.clientId}" value="${v.clientId}" autocomplete="off">${err('clientId')}</div>
  <div class="field"><label for="p-clientSecret">Client secret</label><input type="password" id="p-clientSecret" name="clientSecret" maxlength="${L.clientSecret}" autocomplete="new-password" ${provider?.hasClientSecret ? trusted('placeholder="•••••••• (unchanged)"') : ''}>${provider?.hasClientSecret ? html`<label><input type="checkbox" name="removeSecret" value="1"> remove (public client)</label>` : ''}${err('clientSecret')}</div>
  <div class="field"><label for="p-clientSecretExpiresAt">Client secret expires</label><input type="date" id="p-clientSecretExpiresAt" name="clientSecretExpiresAt" value="${v.clientSecretExpiresAt}">${err('clientSecretExpiresAt')}</div>
  <div class="field"><label for="p-scopes">Scopes</label><input type="text" id="p-scopes" name="scopes" maxlength="${L.scopes}" value="${v.scopes}" placeholder="${provider?.effectiveScopes ?? 'default of the kind'}">${err('scopes')}</div>
  <div class="field"><label class="required" for="p-grant">Grant</label><select id="p-grant" name="grant">${OAUTH2_GRANTS.map((g) => option(g, GRANT_LABELS[g]!, v.grant))}</select>${err('grant')}</div>
</fieldset>
<div class="actions"><button type="submit">Save</button><a href="/oauth2-providers">Cancel</a></div>
</form>`;
}
