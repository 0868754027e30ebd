export { diffFields } from './audit-diff.js';
export type { FieldChange } from './audit-diff.js';
export { recordAudit } from './audit-log.js';
export type { AuditEntry } from './audit-log.js';
