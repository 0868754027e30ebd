// Dovecot's passdb oauth2 for the test harness (test/harness/dovecot.mjs): bearer tokens in SASL
// XOAUTH2 and OAUTHBEARER, each checked on every login by RFC 7662 introspection (no cache, so a
// revoked or expired token is refused on the next login).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Only RFC 3986 characters: Dovecot 2.3's auth process panics on a URL it cannot parse.
const URL_FORM = /^http:\/\/[\][A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$/;

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\0-\x1f\x7f]/;

/** Dovecot settings-file quoting. */
const quoted = (v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/**
 * Write DIR/dovecot-oauth2.conf.ext and return its path. The introspection reply must say
 * `active: true` and carry `usernameAttribute` (default `username`) equal to the login name.
 * @param {string} dir @param {import('./dovecot.d.mts').DovecotOAuth2} o
 */
export function writeOAuth2Config(dir, o) {
  if (!URL_FORM.test(o.introspectionUrl))
    throw new Error(
      `oauth2.introspectionUrl must be an http:// URL of RFC 3986 characters (got ${o.introspectionUrl})`,
    );
  for (const v of [o.clientId, o.clientSecret, o.usernameAttribute, o.scope])
    if (v !== undefined && CONTROL.test(v)) throw new Error('oauth2 settings must not contain control characters');
  const lines = [
    `introspection_url = ${quoted(o.introspectionUrl)}`,
    'introspection_mode = post',
    `client_id = ${quoted(o.clientId ?? '')}`,
    `client_secret = ${quoted(o.clientSecret ?? '')}`,
    `username_attribute = ${quoted(o.usernameAttribute ?? 'username')}`,
    'username_format = %Lu',
    'active_attribute = active',
    'active_value = true',
    ...(o.scope ? [`scope = ${quoted(o.scope)}`] : []),
    'timeout_msecs = 10000',
  ];
  const path = join(dir, 'dovecot-oauth2.conf.ext');
  // Read by the auth process before it drops root; it holds the client secret.
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  return path;
}
