import type { Session } from '@mailduct/core/auth';
import { html, trusted, type SafeHtml } from './html.js';

/** A line above the content: what just happened, or what went wrong. */
export type Notice = { text: string; error?: boolean } | null;

export interface PageOptions {
  title: string;
  session: Session | null;
  active?: 'accounts' | 'providers' | 'queues' | 'addresses' | 'messages' | 'webhooks';
  notice?: Notice;
}

const NAV = [
  ['accounts', '/accounts', 'Mail accounts'],
  ['providers', '/oauth2-providers', 'OAuth2 providers'],
  ['queues', '/queues', 'Queues'],
  ['addresses', '/system-addresses', 'System addresses'],
  ['messages', '/messages', 'Messages'],
  ['webhooks', '/webhooks', 'Webhooks'],
] as const;

/** The page shell: navigation, notice, content. */
export function page(o: PageOptions, content: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${o.session ? html`<meta name="csrf-token" content="${o.session.csrf}">` : ''}
<title>${o.title} · mailduct</title>
<link rel="stylesheet" href="/ui/app.css">
</head>
<body>
<header class="top">
  <span class="brand">mailduct</span>
  ${
    o.session
      ? html`<nav aria-label="Main">${NAV.map(([key, href, label]) => html`<a href="${href}" ${o.active === key ? trusted('aria-current="page"') : ''}>${label}</a> `)}<a href="/admin/queues/">Job queues</a> ${o.session.principal.role === 'admin' ? html`<a href="/admin/queues-manage/">Manage jobs</a> ` : ''}<a href="/docs">API</a></nav>
  <form method="post" action="/logout"><input type="hidden" name="_csrf" value="${o.session.csrf}"><button class="secondary" type="submit">Sign out (${o.session.principal.name}${o.session.principal.role === 'admin' ? '' : ', read-only'})</button></form>`
      : ''
  }
</header>
<main>
${o.notice ? html`<p class="notice${o.notice.error ? ' error' : ''}" role="status">${o.notice.text}</p>` : ''}
${content}
</main>
<script src="/ui/app.js" defer></script>
</body>
</html>`;
}

/** A hidden CSRF field for a form. */
export function csrfField(session: Session | null): SafeHtml {
  return session ? html`<input type="hidden" name="_csrf" value="${session.csrf}">` : html``;
}

/** "2026-01-31 14:05" in UTC, or an em dash. */
export function when(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '—';
}
