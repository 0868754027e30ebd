import type { AccountView } from '@mailduct/core/accounts';
import type { ProviderView } from '@mailduct/core/oauth2';
import { html, type SafeHtml } from './html.js';
import { when } from './layout.js';
import { expiresSoon } from './provider-pages.js';

const STATE_TEXT = {
  ready: 'Authorized',
  authorization_required: 'Authorization required',
  reauthorization_required: 'Re-authorization required',
} as const;

/**
 * The OAuth2 sign-in of an account on its edit page: its state, who signed in and when, what
 * expires within 14 days, and the buttons (Authorize / Re-authorize, with a code on another
 * device where the provider offers it, Revoke). The buttons are driven by app.js through the API.
 */
export function oauth2Panel(account: AccountView, providers: ProviderView[]): SafeHtml {
  const auth = account.auth;
  if (auth.method !== 'oauth2') return html``;
  const provider = providers.find((p) => p.id === auth.providerId);
  const appOnly = provider?.grant === 'client_credentials';
  const device = Boolean(provider?.endpoints.deviceAuthorization) || provider?.endpoints.discovered === true;
  const warnings: SafeHtml[] = [];
  if (expiresSoon(auth.refreshTokenExpiresAt))
    warnings.push(
      html`<p class="notice error" role="alert">The sign-in expires ${when(auth.refreshTokenExpiresAt)}: authorize the account again before then.</p>`,
    );
  if (provider && expiresSoon(provider.clientSecretExpiresAt))
    warnings.push(
      html`<p class="notice error" role="alert">The client secret of "${provider.name}" expires ${when(provider.clientSecretExpiresAt)}: create a new one at the provider and enter it under OAuth2 providers.</p>`,
    );
  const again = auth.state === 'ready' ? 'Re-authorize' : 'Authorize';
  return html`<section id="oauth2" class="panel" data-account-id="${account.id}">
<h2>OAuth2 sign-in</h2>
<p>Provider: <a href="/oauth2-providers/${auth.providerId}">${auth.providerName ?? String(auth.providerId)}</a>${auth.delegate ? ' (token of a delegate)' : ''}</p>
<p>State: <strong id="oauth2-state" class="${auth.state === 'ready' ? 'state-ok' : 'state-error'}">${STATE_TEXT[auth.state]}</strong>${auth.identity ? html`, signed in as <strong>${auth.identity}</strong>` : ''}${auth.authorizedAt ? html` <span class="muted">${when(auth.authorizedAt)}</span>` : ''}</p>
${warnings}
<div class="actions">
  ${appOnly ? html`<button type="button" data-oauth2-authorize="client_credentials">Get a token now</button>` : html`<button type="button" data-oauth2-authorize="${provider?.grant === 'device_code' ? 'device_code' : 'authorization_code'}">${again}</button>`}
  ${!appOnly && device && provider?.grant !== 'device_code' ? html`<button type="button" class="secondary" data-oauth2-authorize="device_code">${again} with a code on another device</button>` : ''}
  ${auth.authorizedAt ? html`<button type="button" class="danger" data-oauth2-revoke>Revoke</button>` : ''}
  <span id="oauth2-result" class="result" role="status"></span>
</div>
<div id="oauth2-device" hidden><p>Open <a id="oauth2-device-link" target="_blank" rel="noopener noreferrer"></a> and enter the code <strong id="oauth2-device-code"></strong>. This page updates when it is done.</p></div>
</section>`;
}
