import type { AccountView } from '@mailduct/core/accounts';
import type { WatchInfo } from '@mailduct/core/push';
import { html, type SafeHtml } from './html.js';
import { when } from './layout.js';

const LABELS: Record<WatchInfo['state'], string> = {
  watching: 'Push: watched',
  connecting: 'Push: connecting',
  waiting: 'Push: waiting for a connection',
  unsupported: 'Push: polled only',
};

/** A push account's watch: which fetcher process holds IDLE since when, or why not (nothing for polled accounts). */
export function watchStatus(account: AccountView, watch: WatchInfo | null | undefined): SafeHtml | '' {
  if (!account.push) return '';
  if (!watch) return html`<span class="watch muted">Push: not watched yet (no fetcher has taken it)</span>`;
  const cls = watch.state === 'watching' ? 'state-ok' : 'state-error';
  return html`<span class="watch"><span class="${cls}">${LABELS[watch.state]}</span> <span class="muted">by ${watch.owner} since ${when(watch.since)}${watch.reason ? ` — ${watch.reason}` : ''}</span></span>`;
}
