import type { Prisma } from '../db/index.js';
import type { FieldChange } from './audit-diff.js';

/** One entry of the audit trail. */
export interface AuditEntry {
  actor: string;
  /**
   * Changes, the operations that reach a mail server with a stored password (test, dry-run,
   * fetch-now), and an OAuth2 grant's life: authorized, refused at a refresh, revoked.
   */
  action:
    | 'create'
    | 'update'
    | 'delete'
    | 'park'
    | 'rotate-key'
    | 'test'
    | 'dry-run'
    | 'fetch-now'
    | 'queue-job'
    | 'oauth2-authorize'
    | 'oauth2-refresh-refused'
    | 'oauth2-revoke'
    | 'redeliver';
  entity: 'mail_account' | 'queue' | 'system_address' | 'api_token' | 'job' | 'oauth2_provider' | 'webhook';
  entityId: string | number;
  changes: Record<string, FieldChange>;
}

type AuditWriter = { auditEvent: { create(args: { data: Prisma.AuditEventCreateInput }): Promise<unknown> } };

/** Write an audit entry, inside the caller's transaction when given one. */
export async function recordAudit(db: AuditWriter, entry: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      entity: entry.entity,
      entityId: String(entry.entityId),
      changes: entry.changes as Prisma.InputJsonValue,
    },
  });
}
