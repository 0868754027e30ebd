import { describe, expect, it } from 'vitest';
import { MailductError, TRANSIENT_CLASSES } from '../errors/index.js';
import { classifyMailError, scrub } from './classify-mail-error.js';

const err = (props: Record<string, unknown>) => Object.assign(new Error(String(props.message ?? 'x')), props);

describe(classifyMailError.name, () => {
  it.each([
    [{ authenticationFailed: true, message: 'Command failed' }, 'MAIL_AUTH_REFUSED', false],
    [{ serverResponseCode: 'AUTHENTICATIONFAILED' }, 'MAIL_AUTH_REFUSED', false],
    [{ serverResponseCode: 'UNAVAILABLE' }, 'MAIL_SERVER_BUSY', true],
    [{ serverResponseCode: 'IN-USE' }, 'MAIL_SERVER_BUSY', true],
    [{ tlsFailed: true, message: 'Server does not support STARTTLS' }, 'MAIL_STARTTLS_UNAVAILABLE', false],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'MAIL_TLS_FAILED', false],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'MAIL_TLS_FAILED', false],
    [{ code: 'ECONNREFUSED' }, 'MAIL_NETWORK', true],
    [{ code: 'ENOTFOUND' }, 'MAIL_NETWORK', true],
    [{ code: 'ETIMEOUT' }, 'MAIL_TIMEOUT', true],
    [{ code: 'GREETING_TIMEOUT' }, 'MAIL_TIMEOUT', true],
    [{ code: 'ETHROTTLE' }, 'MAIL_SERVER_BUSY', true],
    [{ code: 'LineTooLarge' }, 'MAIL_PROTOCOL', false],
    [{ code: 'NotFound' }, 'MAIL_FOLDER_MISSING', false],
  ])('%j → %s (transient: %s)', (props, code, transient) => {
    const e = classifyMailError(err(props));
    expect(e.code).toBe(code);
    expect(TRANSIENT_CLASSES.has(e.errorClass!)).toBe(transient);
  });

  it('passes MailductErrors through', () => {
    const e = new MailductError('MAIL_PROTOCOL', 'as is');
    expect(classifyMailError(e)).toBe(e);
  });

  it('keeps the server text but never the password', () => {
    const e = classifyMailError(err({ authenticationFailed: true, message: '-ERR wrong password hunter22 for user' }), [
      'hunter22',
    ]);
    expect(e.message).toBe('login refused: -ERR wrong password ******** for user');
  });
});

describe(scrub.name, () => {
  it('masks secrets of three characters or more and strips control characters', () => {
    expect(scrub('a\u0000b pw123 c', ['pw123'])).toBe('a b ******** c');
    expect(scrub('spam', ['p'])).toBe('spam');
  });
});
