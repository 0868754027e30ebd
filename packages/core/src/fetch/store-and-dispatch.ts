import { hash } from 'node:crypto';
import { dispatchMessage, type DispatchAccount, type RoutingTable } from '../dispatch/index.js';
import { buildTicketPayload, type TicketPublisher } from '../jobs/index.js';
import type { RemoteMessage } from '../mail/index.js';
import { MessageHeaders, summarizeHeaders, type HeaderSummary } from '../headers/index.js';
import type { MessageOrigin, MessageStore, Outcome, StoredRef, TicketRow, Verdict } from '../store/index.js';
import { storableStrings } from '../text/index.js';
import type { QuarantinedMessage } from './message-events.js';

/** A downloaded message and where it was read. */
export interface Download {
  message: RemoteMessage;
  raw: Buffer;
  origin: MessageOrigin;
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
  /** The messages stored quarantined by this batch (new rows only), for the webhooks. */
  quarantinedMessages: QuarantinedMessage[];
}

/**
 * Steps 3–5 of the invariant for one batch: parse the headers and dispatch, store the raw bytes
 * together with that outcome (idempotent by the server identity), and put every dispatched ticket that is not
 * yet enqueued on the `tickets` queue. After this resolves, the batch may be deleted on the
 * server. A message that cannot be parsed or dispatched is quarantined, never dropped.
 */
export async function storeAndDispatch(
  accountId: number,
  account: DispatchAccount,
  table: RoutingTable,
  downloads: readonly Download[],
  deps: BatchDeps,
): Promise<BatchResult> {
  const items = downloads.map((d) => ({
    sha256: hash('sha256', d.raw, 'hex'),
    size: d.raw.length,
    raw: d.raw,
    remoteId: d.message.id,
    origin: d.origin,
    verdict: decide(d.raw, account, table, deps.hooks?.inspect),
  }));
  const refs = await deps.store.put(accountId, items);
  await deps.hooks?.afterStore?.(refs);
  const result: BatchResult = {
    ids: refs.map((r) => r.id),
    stored: 0,
    duplicates: 0,
    dispatched: 0,
    ignored: 0,
    quarantined: 0,
    quarantinedMessages: [],
  };
  const seen = new Set<number>();
  const fresh: TicketRow[] = [];
  const redeliver: number[] = [];
  refs.forEach((ref, i) => {
    // The same message twice in one batch (a server listing it twice) is one message (counted, one ticket).
    if (seen.has(ref.id)) return void result.duplicates++;
    seen.add(ref.id);
    const { verdict, size } = items[i]!;
    if (ref.isNew) result.stored++;
    else result.duplicates++;
    if (ref.isNew) {
      // A new row holds what the store wrote: the verdict, or a quarantine when PostgreSQL refused it.
      count(result, ref.status);
      if (ref.status === 'quarantined') result.quarantinedMessages.push(quarantinedOf(ref, size, verdict));
      if (ref.status === 'dispatched' && verdict.status === 'dispatched')
        fresh.push(ticketRowOf(accountId, ref, size, verdict));
    } else if (ref.status === 'dispatched' && !ref.enqueued) {
      redeliver.push(ref.id); // stored and dispatched before a crash, never enqueued
    }
  });
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
function ticketRowOf(
  accountId: number,
  ref: StoredRef,
  size: number,
  o: Extract<Verdict, { status: 'dispatched' | 'ignored' }>,
): TicketRow {
  const { status: _s, queue, attributes, ...dispatch } = o.decision;
  return {
    id: ref.id,
    accountId,
    queueId: queue.id,
    queueName: queue.name,
    sha256: ref.sha256,
    size,
    receivedAt: ref.receivedAt,
    dispatch,
    attributes,
    headers: o.summary,
  };
}

function quarantinedOf(ref: StoredRef, size: number, verdict: Verdict): QuarantinedMessage {
  return {
    id: ref.id,
    size,
    subject: verdict.summary?.subject ?? null,
    // Quarantined by the store, not the verdict: PostgreSQL refused what the headers gave.
    reason: verdict.status === 'quarantined' ? verdict.error : 'PostgreSQL refused what was read from the headers',
  };
}

function count(result: BatchResult, status: Outcome['status']): void {
  if (status === 'dispatched') result.dispatched++;
  else if (status === 'ignored') result.ignored++;
  else result.quarantined++;
}

/**
 * Parse the headers and dispatch; any failure becomes a quarantine verdict with the reason. Every
 * string in the verdict is storable: a NUL or an unpaired surrogate from a header (which PostgreSQL
 * refuses in text and jsonb) becomes U+FFFD, so one such mail cannot fail its batch on every run.
 */
export function decide(
  raw: Buffer,
  account: DispatchAccount,
  table: RoutingTable,
  inspect?: (raw: Buffer) => void,
): Verdict {
  const started = performance.now();
  const verdict = verdictOf(raw, account, table, inspect);
  const ms = performance.now() - started;
  // Every parse is linear and bounded, so this only catches what nobody foresaw: such a mail is
  // quarantined (kept, reprocessable), and not parsed again on every run.
  if (ms > PARSE_BUDGET_MS && verdict.status !== 'quarantined')
    return {
      status: 'quarantined',
      error: `parsing the headers took ${Math.round(ms)} ms, more than the budget of ${PARSE_BUDGET_MS} ms`,
      summary: null,
    };
  return storableStrings(verdict);
}

/** Milliseconds one mail's header parse and dispatch may take before it is quarantined instead. */
const PARSE_BUDGET_MS = 2000;

function verdictOf(
  raw: Buffer,
  account: DispatchAccount,
  table: RoutingTable,
  inspect?: (raw: Buffer) => void,
): Verdict {
  let summary: HeaderSummary | null = null;
  try {
    inspect?.(raw);
    if (raw.length === 0) return { status: 'quarantined', error: 'empty message', summary: null };
    const headers = MessageHeaders.fromRaw(raw);
    if (headers.fields.length === 0) return { status: 'quarantined', error: 'no header fields found', summary: null };
    summary = summarizeHeaders(headers);
    const decision = dispatchMessage(headers, account, table);
    return { status: decision.status, decision, summary };
  } catch (err) {
    return {
      status: 'quarantined',
      error: `parse or dispatch failed: ${(err as Error).message ?? String(err)}`,
      summary,
    };
  }
}
