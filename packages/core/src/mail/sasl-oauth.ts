import { isMailductError, MailductError } from '../errors/index.js';
import type { BearerSource } from './mailbox-client.js';

/** The SASL mechanisms that carry an OAuth2 bearer token, the standard one first. */
const OAUTH_MECHANISMS = ['OAUTHBEARER', 'XOAUTH2'] as const;
export type OAuthMechanism = (typeof OAUTH_MECHANISMS)[number];

/** What ends a failed exchange after the server's error challenge: RFC 7628 §3.2.3 ("\x01"), XOAUTH2 an empty line. */
export const OAUTH_ABORT: Record<OAuthMechanism, string> = { OAUTHBEARER: 'AQ==', XOAUTH2: '' };

// The payload's fields are framed with \x01; a value may hold printable characters only (RFC 7628 §3.1).
const PRINTABLE = /^[\x20-\x7e]+$/;

/** The mechanism to use of those a server offers, or null when it takes no bearer token. */
export function oauthMechanism(offered: ReadonlySet<string>): OAuthMechanism | null {
  return OAUTH_MECHANISMS.find((m) => offered.has(m)) ?? null;
}

/**
 * The base64 client response for `mechanism`: OAUTHBEARER's GS2 header names the mailbox as
 * authorization identity, XOAUTH2's `user=` does; the token may belong to someone else (a delegate
 * of a shared mailbox). Throws MAIL_ACCOUNT_MISCONFIGURED for a value that cannot be framed.
 */
export function oauthResponse(
  mechanism: OAuthMechanism,
  p: { user: string; token: string; host: string; port: number },
): string {
  if (!PRINTABLE.test(p.user))
    throw new MailductError('MAIL_ACCOUNT_MISCONFIGURED', 'the user name cannot be sent in an OAuth2 login');
  if (!PRINTABLE.test(p.token))
    throw new MailductError(
      'OAUTH2_PROVIDER_REFUSED',
      'the provider issued an access token with unprintable characters',
    );
  const fields =
    mechanism === 'OAUTHBEARER'
      ? [`n,a=${p.user.replace(/=/g, '=3D').replace(/,/g, '=2C')},`, `host=${p.host}`, `port=${p.port}`]
      : [`user=${p.user}`];
  return Buffer.from([...fields, `auth=Bearer ${p.token}`, '', ''].join('\x01')).toString('base64');
}

/**
 * Log in with the account's token; a token the server refuses is renewed once (the provider may
 * still call it valid while the server has revoked it or let it expire early) and tried again.
 * `login(token, again)` is the protocol's own login; `again` is true for the second try.
 */
export async function loginWithBearer(
  bearer: BearerSource,
  login: (token: string, again: boolean) => Promise<void>,
): Promise<void> {
  const token = await bearer.token();
  try {
    await login(token, false);
  } catch (err) {
    if (!isMailductError(err, 'MAIL_AUTH_REFUSED')) throw err;
    await login(await bearer.renew(token), true);
  }
}

/** A server that takes no bearer token: the error names the mechanisms it does offer. */
export function noOAuthLogin(host: string, offered: readonly string[], note = ''): MailductError {
  return new MailductError(
    'MAIL_ACCOUNT_MISCONFIGURED',
    `${host} offers no OAuth2 login (XOAUTH2 or OAUTHBEARER); it offers ${offered.length > 0 ? offered.join(', ') : 'no SASL mechanism'}${note}`,
  );
}
