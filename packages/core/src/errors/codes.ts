/**
 * Every error code mailduct raises, in one place. Codes are stable: API clients, logs and metrics
 * key on them. The HTTP status for each code lives in apps/api (one table), not here.
 */
export const ERROR_CODES = [
  // Requests
  'MALFORMED_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'INTERNAL',
  // Request and domain validation
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'ACCOUNT_NOT_FOUND',
  'ACCOUNT_EXISTS',
  'QUEUE_NOT_FOUND',
  'QUEUE_INVALID',
  'QUEUE_EXISTS',
  'QUEUE_IN_USE',
  'ADDRESS_NOT_FOUND',
  'ADDRESS_EXISTS',
  'MESSAGE_NOT_FOUND',
  'MESSAGE_NOT_REPROCESSABLE',
  'TOKEN_EXISTS',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'CONFIG_INVALID',
  'SECRET_UNREADABLE',
  'WEBHOOK_NOT_FOUND',
  'WEBHOOK_DELIVERY_NOT_FOUND',
  'OAUTH2_PROVIDER_NOT_FOUND',
  'OAUTH2_PROVIDER_EXISTS',
  'OAUTH2_PROVIDER_IN_USE',
  'OAUTH2_STATE_INVALID',
  'OAUTH2_IDENTITY_MISMATCH',
  // OAuth2 sign-in of a mail account (one class each, see ERROR_CLASS_OF)
  'OAUTH2_AUTHORIZATION_REQUIRED',
  'OAUTH2_REAUTHORIZATION_REQUIRED',
  'OAUTH2_PROVIDER_REFUSED',
  'OAUTH2_PROVIDER_UNREACHABLE',
  // Mail servers (one per error class, see ERROR_CLASS_OF)
  'MAIL_AUTH_REFUSED',
  'MAIL_TLS_FAILED',
  'MAIL_STARTTLS_UNAVAILABLE',
  'MAIL_NETWORK',
  'MAIL_TIMEOUT',
  'MAIL_PROTOCOL',
  'MAIL_SERVER_BUSY',
  'MAIL_FOLDER_MISSING',
  'MAIL_ACCOUNT_MISCONFIGURED',
  'MAIL_HOST_DENIED',
  // Our own storage (PostgreSQL, Redis)
  'STORAGE_UNAVAILABLE',
  'LOCK_LOST',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The failure classes a fetch run reports (docs/ARCHITECTURE.md, "Failures per account"). */
export type ErrorClass = 'auth' | 'tls' | 'network' | 'timeout' | 'protocol' | 'server-busy' | 'config' | 'storage';

/** Which class each mail or storage code belongs to; other codes are not fetch failures. */
export const ERROR_CLASS_OF: Partial<Record<ErrorCode, ErrorClass>> = {
  MAIL_AUTH_REFUSED: 'auth',
  MAIL_TLS_FAILED: 'tls',
  MAIL_STARTTLS_UNAVAILABLE: 'tls',
  MAIL_NETWORK: 'network',
  MAIL_TIMEOUT: 'timeout',
  MAIL_PROTOCOL: 'protocol',
  MAIL_SERVER_BUSY: 'server-busy',
  MAIL_FOLDER_MISSING: 'config',
  MAIL_ACCOUNT_MISCONFIGURED: 'config',
  MAIL_HOST_DENIED: 'config',
  SECRET_UNREADABLE: 'config',
  OAUTH2_AUTHORIZATION_REQUIRED: 'auth',
  OAUTH2_REAUTHORIZATION_REQUIRED: 'auth',
  OAUTH2_PROVIDER_REFUSED: 'auth',
  OAUTH2_PROVIDER_UNREACHABLE: 'network',
  STORAGE_UNAVAILABLE: 'storage',
  LOCK_LOST: 'storage',
};

/** Classes worth retrying soon: the server or the network may recover on its own. */
export const TRANSIENT_CLASSES: ReadonlySet<ErrorClass> = new Set(['network', 'timeout', 'server-busy', 'storage']);
