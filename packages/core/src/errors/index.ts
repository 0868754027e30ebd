export { ERROR_CODES, ERROR_CLASS_OF, TRANSIENT_CLASSES } from './codes.js';
export { ERROR_ADVICE } from './advice.js';
export type { ErrorCode, ErrorClass } from './codes.js';
export { MailductError, isMailductError, validationError } from './mailduct-error.js';
export type { FieldProblem, MailductErrorOptions } from './mailduct-error.js';
