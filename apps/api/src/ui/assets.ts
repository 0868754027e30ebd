/** The admin UI's stylesheet and script, served from memory (no assets from the internet). */
export const APP_CSS = `
:root { --fg: #1d2330; --muted: #5b6477; --line: #d9dde5; --bg: #f6f7f9; --accent: #0b5cad; --bad: #b42318; --ok: #067647; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
header.top { display: flex; gap: 1.2rem; align-items: center; padding: .6rem 1.2rem; background: #16213a; color: #fff; flex-wrap: wrap; }
header.top a { color: #dbe6ff; text-decoration: none; padding: .25rem .1rem; }
header.top a[aria-current="page"] { color: #fff; border-bottom: 2px solid #fff; }
header.top .brand { font-weight: 700; color: #fff; margin-right: 1rem; }
header.top form { margin-left: auto; }
main { max-width: 1200px; margin: 1.2rem auto; padding: 0 1.2rem; }
h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
.notice { padding: .6rem .9rem; border-radius: 6px; margin-bottom: 1rem; background: #e7f4ec; color: var(--ok); border: 1px solid #b7e0c4; }
.notice.error { background: #fdecea; color: var(--bad); border-color: #f5c2bd; }
.toolbar { display: flex; gap: .8rem; align-items: center; flex-wrap: wrap; margin-bottom: .8rem; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f6; font-weight: 600; }
tr.invalid td { color: var(--muted); background: #fafafa; }
tr.invalid td.validity { color: var(--bad); }
.muted { color: var(--muted); }
.state-error { color: var(--bad); }
.state-ok { color: var(--ok); }
button, .button { font: inherit; padding: .35rem .8rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 5px; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #7fb0ff; outline-offset: 1px; }
form.inline { display: inline; }
fieldset { border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 1rem 1.2rem; }
.field { display: grid; grid-template-columns: 12rem 1fr; gap: .3rem 1rem; margin-bottom: .8rem; align-items: start; }
.field label { font-weight: 600; padding-top: .3rem; }
.field .required::after { content: " *"; color: var(--bad); }
.field input[type=text], .field input[type=password], .field input[type=number], .field input[type=email], .field input[type=date], .field select, .field textarea { font: inherit; padding: .35rem .5rem; border: 1px solid #b9c0cc; border-radius: 5px; width: min(100%, 28rem); }
.field .error { color: var(--bad); grid-column: 2; }
.field .hint { color: var(--muted); grid-column: 2; font-size: .9em; }
.field[hidden] { display: none; }
.field .choices { display: flex; flex-direction: column; gap: .2rem; }
.field .choices label { font-weight: normal; padding-top: 0; }
.field input[type=url] { font: inherit; padding: .35rem .5rem; border: 1px solid #b9c0cc; border-radius: 5px; width: min(100%, 40rem); }
.actions { display: flex; gap: .6rem; margin-top: 1rem; flex-wrap: wrap; }
.result { margin-left: .6rem; }
.login { max-width: 28rem; margin: 4rem auto; }
.panel { margin-top: 2rem; padding: 1rem 1.2rem; border: 1px solid #d5dae3; border-radius: 6px; }
.badge { font-weight: 600; }
`;

export const APP_JS = `
(() => {
  const csrf = document.querySelector('meta[name=csrf-token]')?.content ?? '';
  // What the initial import would take, and where the first of it would go (nothing is changed).
  const showPreview = (out, r) => {
    const day = (d) => (d ? d.slice(0, 10) : '–');
    const p = r.import;
    const el = (tag, text) => Object.assign(document.createElement(tag), { textContent: text });
    out.replaceChildren(
      el('p', p.total + ' message(s) on the server, oldest ' + day(p.oldest) + ', newest ' + day(p.newest) + '. The first run would fetch ' + p.wouldImport + (p.cutoff ? ' (mail since ' + day(p.cutoff) + '; the rest stays on the server untouched).' : '.')),
    );
    if (p.folders.length > 1)
      out.append(el('p', p.folders.map((x) => x.folder + ': ' + x.wouldImport + ' of ' + x.total).join(', ')));
    if (r.items.length) {
      const table = document.createElement('table');
      table.append(...[['Folder', 'Subject', 'From', 'Queue', 'Outcome'], ...r.items.map((i) => [i.folder ?? '', i.subject ?? '', i.from ?? '', i.queue?.name ?? '', i.status + ': ' + i.reason])].map((cells, n) => {
        const tr = document.createElement('tr');
        tr.append(...cells.map((c) => el(n === 0 ? 'th' : 'td', c)));
        return tr;
      }));
      out.append(table);
    }
    out.className = 'preview state-ok';
  };

  const api = async (method, url, body) => {
    const headers = body === undefined ? { 'x-csrf-token': csrf } : { 'content-type': 'application/json', 'x-csrf-token': csrf };
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    const data = await res.json().catch(() => ({}));
    const details = (data?.error?.details ?? []).map?.((d) => d.field + ' ' + d.problem).join('; ');
    if (!res.ok && res.status !== 202) throw new Error((data?.error?.message ?? res.statusText) + (details ? ': ' + details : ''));
    return data;
  };

  // Overview: filter as you type, remembered "include invalid" toggle.
  const filter = document.getElementById('filter');
  const includeInvalid = document.getElementById('include-invalid');
  const rows = [...document.querySelectorAll('tbody tr[data-search]')];
  const applyFilter = () => {
    const q = (filter?.value ?? '').trim().toLowerCase();
    const showInvalid = includeInvalid ? includeInvalid.checked : true;
    for (const row of rows) row.hidden = (q && !row.dataset.search.includes(q)) || (!showInvalid && row.classList.contains('invalid'));
  };
  if (includeInvalid) {
    const key = includeInvalid.dataset.remember;
    const saved = localStorage.getItem(key);
    if (saved !== null) includeInvalid.checked = saved === '1';
    includeInvalid.addEventListener('change', () => { localStorage.setItem(key, includeInvalid.checked ? '1' : '0'); applyFilter(); });
  }
  filter?.addEventListener('input', applyFilter);
  if (rows.length) applyFilter();

  // Confirmations for destructive forms.
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (e) => { if (!confirm(form.dataset.confirm)) e.preventDefault(); });
  }

  // "Fetch mail": start a fetch and show its outcome when done.
  for (const button of document.querySelectorAll('button[data-fetch]')) {
    button.addEventListener('click', async () => {
      const out = document.getElementById('fetch-result-' + button.dataset.fetch);
      button.disabled = true;
      out.textContent = 'fetching…';
      try {
        const { jobId } = await api('POST', '/api/v1/mail-accounts/' + button.dataset.fetch + '/fetch', {});
        for (;;) {
          await new Promise((r) => setTimeout(r, 500));
          const job = await api('GET', '/api/v1/fetch-jobs/' + jobId);
          if (job.state !== 'completed' && job.state !== 'failed') continue;
          const r = job.result ?? {};
          const c = r.counts ?? {};
          out.textContent = r.outcome === 'skipped' ? 'skipped: ' + r.skippedReason
            : r.error ? 'failed (' + r.error.class + '): ' + r.error.message
            : 'fetched ' + c.fetched + ', ignored ' + c.ignored + ', quarantined ' + c.quarantined + ', oversized ' + c.oversized;
          out.className = 'result ' + (r.error ? 'state-error' : 'state-ok');
          break;
        }
      } catch (err) {
        out.textContent = 'error: ' + err.message;
        out.className = 'result state-error';
      } finally {
        button.disabled = false;
      }
    });
  }

  // Account form: conditional rows, inline "Test connection" and "Preview".
  const form = document.getElementById('account-form');
  if (form) {
    const f = form.elements;
    const sync = () => {
      const imap = f.type.value.startsWith('IMAP');
      document.getElementById('row-imapFolders').hidden = !imap;
      document.getElementById('row-push').hidden = !imap;
      document.getElementById('row-moveToFolder').hidden = f.afterFetch.value !== 'moveTo';
      document.getElementById('row-importSince').hidden = f.initialImport.value !== 'since';
      document.getElementById('row-queueId').hidden = f.dispatch.value !== 'queue';
      document.getElementById('row-password').hidden = f.auth.value !== 'password';
      document.getElementById('row-delegate').hidden = f.auth.value === 'password';
    };
    for (const name of ['type', 'dispatch', 'auth', 'afterFetch', 'initialImport']) f[name].addEventListener('change', sync);
    sync();
    // The settings as typed, for the test and the preview (the stored password stands in when none is typed).
    const settings = () => {
      const body = { type: f.type.value, host: f.host.value, username: f.username.value, tlsVerify: f.tlsVerify.value === '1' };
      if (f.port.value) body.port = Number(f.port.value);
      const folders = f.imapFolders.value.split(/\\r?\\n/).map((x) => x.trim()).filter(Boolean);
      if (folders.length && f.type.value.startsWith('IMAP')) body.imapFolders = folders;
      body.afterFetch = f.afterFetch.value;
      if (f.afterFetch.value === 'moveTo') body.moveToFolder = f.moveToFolder.value;
      body.initialImport = f.initialImport.value;
      if (f.initialImport.value === 'since' && f.importSince.value) body.importSince = f.importSince.value + 'T00:00:00Z';
      if (f.auth.value !== 'password') body.auth = { method: 'oauth2', providerId: Number(f.auth.value), delegate: f.delegate.value === '1' };
      else if (f.password.value) body.password = f.password.value;
      if (form.dataset.accountId) body.accountId = Number(form.dataset.accountId);
      return body;
    };
    document.getElementById('test-connection')?.addEventListener('click', async () => {
      const out = document.getElementById('test-result');
      out.textContent = 'testing…';
      out.className = 'result';
      try {
        const r = await api('POST', '/api/v1/mail-accounts/test', settings());
        out.textContent = r.ok ? 'Connection OK: ' + r.messages + ' message(s) waiting.' : 'Connection failed (' + r.error.class + '): ' + r.error.message;
        out.className = 'result ' + (r.ok ? 'state-ok' : 'state-error');
      } catch (err) {
        out.textContent = err.message;
        out.className = 'result state-error';
      }
    });
    document.getElementById('preview-import')?.addEventListener('click', async () => {
      const out = document.getElementById('preview-result');
      out.textContent = 'reading the mailbox…';
      try {
        showPreview(out, await api('POST', '/api/v1/mail-accounts/preview?limit=20', settings()));
      } catch (err) {
        out.textContent = err.message;
        out.className = 'preview state-error';
      }
    });
  }

  // Provider form: the fields of the chosen kind only.
  const providerForm = document.getElementById('provider-form');
  if (providerForm) {
    const kind = providerForm.elements.kind;
    const syncKind = () => {
      document.getElementById('row-tenant').hidden = kind.value !== 'microsoft';
      for (const f of ['issuerUrl', 'authorization', 'token', 'deviceAuthorization', 'revocation'])
        document.getElementById('row-' + f).hidden = kind.value !== 'generic';
    };
    kind.addEventListener('change', syncKind);
    syncKind();
  }

  // OAuth2 panel: authorize (to the provider's page, or a device code), revoke.
  const panel = document.getElementById('oauth2');
  if (panel) {
    const base = '/api/v1/mail-accounts/' + panel.dataset.accountId + '/oauth2';
    const out = document.getElementById('oauth2-result');
    const waitForDevice = async () => {
      for (;;) {
        await new Promise((r) => setTimeout(r, 2000));
        const { device } = await api('GET', base);
        if (device?.status === 'authorized') return location.reload();
        if (!device || device.status === 'failed') throw new Error(device?.message ?? 'the sign-in ended');
      }
    };
    for (const button of panel.querySelectorAll('button[data-oauth2-authorize]')) {
      button.addEventListener('click', async () => {
        out.textContent = 'asking the provider…';
        out.className = 'result';
        try {
          const r = await api('POST', base + '/authorize', { flow: button.dataset.oauth2Authorize });
          if (r.authorizationUrl) return void (location.href = r.authorizationUrl);
          if (r.state === 'ready') return location.reload();
          const link = document.getElementById('oauth2-device-link');
          link.href = r.verificationUriComplete ?? r.verificationUri;
          link.textContent = r.verificationUri;
          document.getElementById('oauth2-device-code').textContent = r.userCode;
          document.getElementById('oauth2-device').hidden = false;
          out.textContent = 'waiting for the code to be entered…';
          await waitForDevice();
        } catch (err) {
          out.textContent = err.message;
          out.className = 'result state-error';
        }
      });
    }
    panel.querySelector('button[data-oauth2-revoke]')?.addEventListener('click', async () => {
      if (!confirm('Revoke the OAuth2 sign-in of this account? It is not fetched until it is authorized again.')) return;
      try {
        await api('DELETE', base);
        location.reload();
      } catch (err) {
        out.textContent = err.message;
        out.className = 'result state-error';
      }
    });
  }
})();
`;
