import type { ErrorCode } from './codes.js';

/** What to do about each error, for docs/ERRORS.md (one line each, for an operator or API client). */
export const ERROR_ADVICE: Record<ErrorCode, string> = {
  MALFORMED_REQUEST: 'Send valid JSON (or form data for the UI) of the documented shape.',
  PAYLOAD_TOO_LARGE: 'Send a smaller body (the API takes at most 1 MiB).',
  UNSUPPORTED_MEDIA_TYPE: 'Send `Content-Type: application/json`.',
  RATE_LIMITED: 'Wait for the `Retry-After` seconds; check the token or sign-in token being sent.',
  INTERNAL: 'A bug: the server log has the details (request id); report it.',
  VALIDATION_FAILED: 'Fix the fields named in `details` (each with its problem) and send again.',
  NOT_FOUND: 'Check the path and id; finished fetch jobs are kept for a day.',
  ACCOUNT_NOT_FOUND: 'Check the mail account id (`GET /api/v1/mail-accounts`).',
  ACCOUNT_EXISTS: 'Another account already reads this mailbox (`details.accountId`): change that one instead.',
  QUEUE_NOT_FOUND: 'Check the queue id (`GET /api/v1/queues`).',
  QUEUE_INVALID: 'Choose a valid queue, or set the queue valid first.',
  QUEUE_EXISTS: 'Queue names are unique: pick another name or change the existing queue.',
  QUEUE_IN_USE: 'Move the accounts and system addresses using it (or MAILDUCT_DEFAULT_QUEUE) to another queue first.',
  ADDRESS_NOT_FOUND: 'Check the system address id (`GET /api/v1/system-addresses`).',
  ADDRESS_EXISTS: 'System addresses are unique (ignoring case): change the existing one.',
  MESSAGE_NOT_FOUND: 'Check the message id (`GET /api/v1/messages`).',
  MESSAGE_NOT_REPROCESSABLE: 'Only quarantined messages whose raw mail is still kept can be reprocessed.',
  TOKEN_EXISTS: 'Token names are unique: pick another name, or revoke the old token first.',
  UNAUTHORIZED: 'Send `Authorization: Bearer <token>` with a valid, unrevoked token (`mailduct token create`).',
  FORBIDDEN: 'The token is read-only: use an admin token for changes, tests and fetches.',
  CONFIG_INVALID: 'Fix the environment variables named in the message (README, "Configuration") and start again.',
  SECRET_UNREADABLE:
    'The password was sealed with a key that is not configured: add it to MAILDUCT_OLD_SECRET_KEYS, or set the password again.',
  WEBHOOK_NOT_FOUND: 'Check the webhook id (`GET /api/v1/webhooks`).',
  WEBHOOK_DELIVERY_NOT_FOUND: 'Check the delivery id (`GET /api/v1/webhooks/:id/deliveries`).',
  OAUTH2_PROVIDER_NOT_FOUND: 'Check the OAuth2 provider id (`GET /api/v1/oauth2-providers`).',
  OAUTH2_PROVIDER_EXISTS: 'OAuth2 provider names are unique: pick another name or change the existing provider.',
  OAUTH2_PROVIDER_IN_USE: 'Move the mail accounts named in the message to another provider (or to a password) first.',
  OAUTH2_STATE_INVALID:
    'The sign-in link was used already, has expired (10 minutes) or belongs to another session: start the authorization again.',
  OAUTH2_IDENTITY_MISMATCH:
    'Sign in as the mailbox itself, or set `auth.delegate` when the token rightly belongs to a delegate (shared mailbox).',
  OAUTH2_AUTHORIZATION_REQUIRED:
    'Nobody has signed in for this account yet: authorize it (UI "Authorize", `POST …/oauth2/authorize`, or `mailduct oauth2 authorize`).',
  OAUTH2_REAUTHORIZATION_REQUIRED:
    'The provider refused the stored grant (revoked, expired, password changed): authorize the account again; it stays parked until then.',
  OAUTH2_PROVIDER_REFUSED:
    'The provider refused the client (wrong client id or secret, scope or consent missing): fix the provider named in the message.',
  OAUTH2_PROVIDER_UNREACHABLE:
    'The provider could not be reached or answered with a server error; the run is retried with backoff.',
  MAIL_AUTH_REFUSED:
    'Check the user name and password on the mail server; after repeated failures the account is parked.',
  MAIL_TLS_FAILED:
    'Check the server certificate (or add its CA with MAILDUCT_EXTRA_CA_FILE); turn tlsVerify off only for a server you trust.',
  MAIL_STARTTLS_UNAVAILABLE:
    'The server offers no STARTTLS/STLS: use the implicit-TLS type (IMAPS, POP3S) or the plain one.',
  MAIL_NETWORK: 'Check host, port and the network path; the account is retried with backoff.',
  MAIL_TIMEOUT:
    'The server did not answer in time; it is retried with backoff. Persistent: check the server or the path.',
  MAIL_PROTOCOL:
    'The server answered outside the protocol (or is not a mail server on that port); the message quotes an excerpt.',
  MAIL_SERVER_BUSY:
    'The server is limiting connections or is busy; it is retried with backoff (MAILDUCT_MAX_CONNECTIONS_PER_HOST).',
  MAIL_FOLDER_MISSING: 'Create the IMAP folder or change `imapFolder`.',
  MAIL_ACCOUNT_MISCONFIGURED: 'Fix the account settings named in the message.',
  MAIL_HOST_DENIED:
    'The host resolves to an internal address: allow it with MAILDUCT_ALLOWED_MAIL_HOSTS if it is your mail server.',
  STORAGE_UNAVAILABLE:
    'PostgreSQL or Redis could not be reached or did not answer; the run is retried. Check /health/ready.',
  LOCK_LOST:
    'Another fetcher took the account over (this one was paused past the lock lifetime); nothing was deleted, the run goes on there.',
};
