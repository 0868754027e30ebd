import { ERROR_CLASS_OF, type ErrorClass, type ErrorCode } from './codes.js';

/** One problem with one field of an input, as returned in `error.details`. */
export interface FieldProblem {
  field: string;
  problem: string;
}

export interface MailductErrorOptions {
  cause?: unknown;
  details?: FieldProblem[] | Record<string, unknown>;
}

/**
 * The one error type of mailduct. `code` is stable (see codes.ts); `message` is for humans and
 * never contains a secret. Whether trying again can help follows from the code's class
 * (TRANSIENT_CLASSES, used by the failure policy).
 */
export class MailductError extends Error {
  readonly code: ErrorCode;
  readonly details: FieldProblem[] | Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: MailductErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MailductError';
    this.code = code;
    this.details = options.details;
  }

  /** The fetch failure class of this error, if it is one. */
  get errorClass(): ErrorClass | undefined {
    return ERROR_CLASS_OF[this.code];
  }
}

/** True when `err` is a MailductError, optionally with the given code. */
export function isMailductError(err: unknown, code?: ErrorCode): err is MailductError {
  return err instanceof MailductError && (code === undefined || err.code === code);
}

/** A VALIDATION_FAILED error listing each field and what is wrong with it. */
export function validationError(problems: FieldProblem[]): MailductError {
  const summary = problems.map((p) => `${p.field}: ${p.problem}`).join('; ');
  return new MailductError('VALIDATION_FAILED', `Invalid input: ${summary}`, { details: problems });
}
