import type { StoredDispatch, Verdict } from './message-store.js';

/** The `inbound_message` columns that record a verdict, as query parameters (text for jsonb). */
export interface OutcomeColumns {
  status: Verdict['status'];
  queueId: number | null;
  dispatch: string | null;
  attributes: string | null;
  headers: string | null;
  messageId: string | null;
  subject: string | null;
  from: string | null;
  error: string | null;
}

/** Flatten a verdict into its row columns, cut to the column widths of the schema. */
export function outcomeColumns(v: Verdict): OutcomeColumns {
  const summary = v.summary;
  const common = {
    status: v.status,
    headers: summary ? JSON.stringify(summary) : null,
    messageId: summary?.messageId?.slice(0, 1000) ?? null,
    subject: summary?.subject?.slice(0, 1000) ?? null,
    from: summary?.from[0]?.address.slice(0, 500) ?? null,
  };
  if (v.status === 'quarantined')
    return { ...common, queueId: null, dispatch: null, attributes: null, error: v.error.slice(0, 2000) };
  const { status: _s, queue, attributes, ...dispatch } = v.decision;
  return {
    ...common,
    queueId: queue.id,
    dispatch: JSON.stringify(dispatch satisfies StoredDispatch),
    attributes: JSON.stringify(attributes),
    error: null,
  };
}
