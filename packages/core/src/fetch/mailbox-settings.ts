import type { SecretBox } from '../crypto/index.js';
import type { MailAccountRow } from '../db/index.js';
import { MailductError } from '../errors/index.js';
import type { MailboxSettings } from '../mail/index.js';
import type { AccessTokens } from '../oauth2/index.js';

/**
 * How to reach and log in to a stored account's mailbox: its password opened, or for an OAuth2
 * account the source of its access tokens (asked at each login, so a token is never older than
 * the session that uses it). Throws SECRET_UNREADABLE, MAIL_ACCOUNT_MISCONFIGURED.
 */
export function mailboxSettingsOf(
  row: MailAccountRow,
  secrets: SecretBox,
  tokens: AccessTokens | undefined,
): MailboxSettings {
  const common = {
    type: row.type,
    host: row.host,
    port: row.port,
    username: row.username,
    imapFolder: row.imapFolder,
    tlsVerify: row.tlsVerify,
  };
  if (row.authMethod !== 'oauth2') return { ...common, password: secrets.open(row.passwordEnc) };
  if (!tokens)
    throw new MailductError(
      'MAIL_ACCOUNT_MISCONFIGURED',
      `mail account ${row.id} signs in with OAuth2, which this process cannot do`,
    );
  return { ...common, password: '', bearer: tokens.bearerFor(row.id) };
}
