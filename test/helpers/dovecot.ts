// The tests' Dovecot: test/harness/dovecot.mjs (shared with the benchmarks).
export { startDovecot } from '../harness/dovecot.mjs';
export type { Dovecot } from '../harness/dovecot.mjs';
