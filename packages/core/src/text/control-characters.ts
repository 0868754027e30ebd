/* eslint-disable no-control-regex -- these patterns exist to find control characters */
/** Any C0 control character or DEL: never part of a one-line value (credentials, names, addresses, folders). */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** A control character free text must not hold: all but tab, LF and CR (PostgreSQL refuses NUL). */
export const TEXT_CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const ALL_BUT_TAB_AND_LF = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * Text from outside (a mail server's answer, a header) with every control character but tab and
 * LF replaced by `by`: fit for a log line and a PostgreSQL text column.
 */
export function replaceControlCharacters(text: string, by = ' '): string {
  return text.replace(ALL_BUT_TAB_AND_LF, by);
}
