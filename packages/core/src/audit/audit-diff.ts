/** One changed field: old and new value, or just `secret: true` for secrets. */
export type FieldChange = { from: unknown; to: unknown } | { secret: true; changed: true };

/**
 * The fields that differ between two versions of an entity. Secret fields are listed as changed
 * without their values, so the audit trail never holds a password.
 */
export function diffFields(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  secretFields: ReadonlySet<string> = new Set(),
): Record<string, FieldChange> {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const changes: Record<string, FieldChange> = {};
  for (const key of keys) {
    const from = before?.[key];
    const to = after?.[key];
    if (secretFields.has(key)) {
      if (to !== undefined && to !== from) changes[key] = { secret: true, changed: true };
      continue;
    }
    if (JSON.stringify(from ?? null) !== JSON.stringify(to ?? null))
      changes[key] = { from: from ?? null, to: to ?? null };
  }
  return changes;
}
