import type { ErrorCode } from '@mailduct/core/errors';

/** The HTTP status of every error code: the one place where domain errors become HTTP. */
export const STATUS: Record<ErrorCode, number> = {
  MALFORMED_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  ACCOUNT_NOT_FOUND: 404,
  ACCOUNT_EXISTS: 409,
  QUEUE_NOT_FOUND: 404,
  QUEUE_INVALID: 400,
  QUEUE_EXISTS: 409,
  QUEUE_IN_USE: 409,
  ADDRESS_NOT_FOUND: 404,
  ADDRESS_EXISTS: 409,
  MESSAGE_NOT_FOUND: 404,
  MESSAGE_NOT_REPROCESSABLE: 409,
  TOKEN_EXISTS: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CONFIG_INVALID: 500,
  SECRET_UNREADABLE: 500,
  MAIL_AUTH_REFUSED: 502,
  MAIL_TLS_FAILED: 502,
  MAIL_STARTTLS_UNAVAILABLE: 502,
  MAIL_NETWORK: 502,
  MAIL_TIMEOUT: 504,
  MAIL_PROTOCOL: 502,
  MAIL_SERVER_BUSY: 503,
  MAIL_FOLDER_MISSING: 502,
  MAIL_ACCOUNT_MISCONFIGURED: 400,
  MAIL_HOST_DENIED: 400,
  STORAGE_UNAVAILABLE: 503,
  LOCK_LOST: 409,
};

/** The code for a framework error that only carries an HTTP status. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 429) return 'RATE_LIMITED';
  return status >= 500 ? 'INTERNAL' : 'MALFORMED_REQUEST';
}
