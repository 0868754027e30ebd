import { createHash } from 'node:crypto';
import { dispatchMessage, type DispatchAccount, type RoutingTable } from '../dispatch/index.js';
import { buildTicketPayload, type TicketPublisher } from '../jobs/index.js';
import type { RemoteMessage } from '../mail/index.js';
import { MessageHeaders, summarizeHeaders, type HeaderSummary } from '../message/index.js';
import type { MessageStore, Outcome, StoredRef, TicketRow } from '../store/index.js';

/** A downloaded message. */
export interface Download {
  message: RemoteMessage;
  raw: Buffer;
}

/** Test seams to stop the pipeline between its durable steps (crash-window tests). */
export interface PipelineHooks {
  /** Called with each message just before it is parsed; a throw quarantines that message. */
  inspect?(raw: Buffer): void;
  afterStore?(refs: readonly StoredRef[]): Promise<void> | void;
  afterEnqueue?(ids: readonly number[]): Promise<void> | void;
  beforeCommit?(): Promise<void> | void;
}

export interface BatchDeps {
  store: MessageStore;
  publisher: TicketPublisher;
  hooks?: PipelineHooks;
}

/** What happened to one batch. */
export interface BatchResult {
  ids: number[];
  stored: number;
  duplicates: number;
  dispatched: number;
  ignored: number;
  quarantined: number;
}

/**
 * Steps 3–5 of the invariant for one batch: store the raw bytes (idempotent by sha256), parse the
 * headers and dispatch the new ones, record the outcomes, and put every dispatched ticket that is
 * not yet enqueued on the `tickets` queue. After this resolves, the batch may be deleted on the
 * server. A message that cannot be parsed or dispatched is quarantined, never dropped.
 */
export async function storeAndDispatch(accountId: number, account: DispatchAccount, table: RoutingTable, downloads: readonly Download[], deps: BatchDeps): Promise<BatchResult> {
  const items = downloads.map((d) => ({ sha256: createHash('sha256').update(d.raw).digest('hex'), size: d.raw.length, raw: d.raw, remoteId: d.message.id }));
  const refs = await deps.store.put(accountId, items);
  await deps.hooks?.afterStore?.(refs);
  const result: BatchResult = { ids: refs.map((r) => r.id), stored: 0, duplicates: 0, dispatched: 0, ignored: 0, quarantined: 0 };
  const outcomes: Outcome[] = [];
  const seen = new Set<number>();
  const fresh: TicketRow[] = [];
  const redeliver: number[] = [];
  refs.forEach((ref, i) => {
    if (seen.has(ref.id)) return;
    seen.add(ref.id);
    if (ref.isNew) result.stored++;
    else result.duplicates++;
    if (ref.status === 'stored') {
      const outcome = decide(ref.id, downloads[i]!.raw, account, table, deps.hooks?.inspect);
      outcomes.push(outcome);
      count(result, outcome.status);
      if (outcome.status === 'dispatched') fresh.push(ticketRowOf(accountId, ref, items[i]!.size, outcome));
    } else if (ref.status === 'dispatched' && !ref.enqueued) {
      redeliver.push(ref.id); // stored and dispatched before a crash, never enqueued
    }
  });
  await deps.store.recordOutcomes(outcomes);
  // Fresh tickets are built from what was just recorded; re-deliveries from the stored rows.
  const rows = [...fresh, ...(redeliver.length > 0 ? await deps.store.ticketRows(redeliver) : [])];
  if (rows.length > 0) {
    await deps.publisher.publish(rows.map(buildTicketPayload));
    await deps.store.markEnqueued(rows.map((r) => r.id));
  }
  await deps.hooks?.afterEnqueue?.(rows.map((r) => r.id));
  return result;
}

/** The ticket row of a message dispatched in this batch: exactly what recordOutcomes stored. */
function ticketRowOf(accountId: number, ref: StoredRef, size: number, o: Extract<Outcome, { status: 'dispatched' | 'ignored' }>): TicketRow {
  const { status: _s, queue, attributes, ...dispatch } = o.decision;
  return { id: ref.id, accountId, queueId: queue.id, queueName: queue.name, sha256: ref.sha256, size, receivedAt: ref.receivedAt, dispatch, attributes, headers: o.summary };
}

function count(result: BatchResult, status: Outcome['status']): void {
  if (status === 'dispatched') result.dispatched++;
  else if (status === 'ignored') result.ignored++;
  else result.quarantined++;
}

/** Parse the headers and dispatch; any failure becomes a quarantine outcome with the reason. */
export function decide(id: number, raw: Buffer, account: DispatchAccount, table: RoutingTable, inspect?: (raw: Buffer) => void): Outcome {
  let summary: HeaderSummary | null = null;
  try {
    inspect?.(raw);
    if (raw.length === 0) return { id, status: 'quarantined', error: 'empty message', summary: null };
    const headers = MessageHeaders.fromRaw(raw);
    if (headers.fields.length === 0) return { id, status: 'quarantined', error: 'no header fields found', summary: null };
    summary = summarizeHeaders(headers);
    const decision = dispatchMessage(headers, account, table);
    return { id, status: decision.status, decision, summary };
  } catch (err) {
    return { id, status: 'quarantined', error: `parse or dispatch failed: ${(err as Error).message ?? String(err)}`, summary };
  }
}
