import type { Dispatch } from '../accounts/index.js';
import { addressesOf, type MessageHeaders } from '../headers/index.js';
import { followUpHints, type FollowUpHints } from './follow-up-hints.js';
import { computeLoopFlags, type LoopFlags } from './loop-flags.js';
import { isIgnore, readOtoboHeaders } from './otobo-headers.js';
import { queueNamed, type RouteQueue, type RoutingTable } from './routing-table.js';

/** The recipient headers searched for a system address, in OTOBO's order (DestQueue). */
export const RECIPIENT_HEADERS = ['Resent-To', 'Envelope-To', 'To', 'Cc', 'Delivered-To', 'X-Original-To'] as const;

/** The account settings dispatch depends on. */
export interface DispatchAccount {
  trusted: boolean;
  dispatch: Dispatch;
}

/** Where a message goes and why. */
export interface DispatchDecision {
  status: 'dispatched' | 'ignored';
  queue: { id: number; name: string };
  /** queue: the account's queue; to: a system address; default: no address matched; x-otobo-queue: trusted header. */
  by: 'queue' | 'to' | 'default' | 'x-otobo-queue';
  matchedAddress: string | null;
  header: string | null;
  reason: string;
  trusted: boolean;
  attributes: Record<string, string>;
  strippedHeaders: string[];
  loop: LoopFlags;
  followUp: FollowUpHints;
}

/**
 * OTOBO's PostMaster dispatch for a new ticket (docs/OTOBO.md), as a pure function:
 * 1. the account's queue, or by To: the first valid system address among Resent-To,
 *    Envelope-To, To, Cc, Delivered-To, X-Original-To (case-insensitive), else the default queue;
 * 2. trusted accounts: X-OTOBO-Queue naming an existing valid queue overrides that, and
 *    X-OTOBO-Ignore yes/true makes the message ignored; untrusted accounts ignore every X-OTOBO*.
 * Throws only when there is no queue at all to put the message in.
 */
export function dispatchMessage(h: MessageHeaders, account: DispatchAccount, table: RoutingTable): DispatchDecision {
  const otobo = readOtoboHeaders(h.fields, account.trusted);
  let route = baseRoute(h, account.dispatch, table);
  const named = otobo.attributes.Queue;
  if (named !== undefined) {
    const q = queueNamed(table, named);
    if (q && q.valid)
      route = {
        queue: q,
        by: 'x-otobo-queue',
        matchedAddress: null,
        header: 'X-OTOBO-Queue',
        reason: `X-OTOBO-Queue names queue "${q.name}" (trusted account)`,
      };
    else route = { ...route, reason: `${route.reason}; X-OTOBO-Queue "${named}" ignored: no such valid queue` };
  }
  const ignored = isIgnore(otobo.attributes.Ignore);
  return {
    status: ignored ? 'ignored' : 'dispatched',
    queue: { id: route.queue.id, name: route.queue.name },
    by: route.by,
    matchedAddress: route.matchedAddress,
    header: route.header,
    reason: ignored ? `X-OTOBO-Ignore: ${otobo.attributes.Ignore} (trusted account)` : route.reason,
    trusted: account.trusted,
    attributes: otobo.attributes,
    strippedHeaders: otobo.stripped,
    loop: computeLoopFlags(h, otobo.attributes.Loop),
    followUp: followUpHints(h),
  };
}

interface Route {
  queue: RouteQueue;
  by: DispatchDecision['by'];
  matchedAddress: string | null;
  header: string | null;
  reason: string;
}

function baseRoute(h: MessageHeaders, dispatch: Dispatch, table: RoutingTable): Route {
  if (dispatch.by === 'queue') {
    const q = table.queues.get(dispatch.queueId);
    if (q)
      return {
        queue: q,
        by: 'queue',
        matchedAddress: null,
        header: null,
        reason: `account dispatches into queue "${q.name}"`,
      };
  } else {
    for (const header of RECIPIENT_HEADERS) {
      for (const address of addressesOf(h.mailboxes(header))) {
        const queueId = table.addresses.get(address);
        const q = queueId === undefined ? undefined : table.queues.get(queueId);
        if (q)
          return {
            queue: q,
            by: 'to',
            matchedAddress: address,
            header,
            reason: `${header} contains system address ${address} of queue "${q.name}"`,
          };
      }
    }
  }
  return defaultRoute(table);
}

function defaultRoute(table: RoutingTable): Route {
  const q = queueNamed(table, table.defaultQueueName);
  if (q)
    return {
      queue: q,
      by: 'default',
      matchedAddress: null,
      header: null,
      reason: `no system address matched: default queue "${q.name}"`,
    };
  // OTOBO falls back to queue id 1 when the default queue is missing; we take the lowest id.
  const first = [...table.queues.values()].sort((a, b) => a.id - b.id)[0];
  if (!first) throw new Error('no queue exists to dispatch into');
  return {
    queue: first,
    by: 'default',
    matchedAddress: null,
    header: null,
    reason: `default queue "${table.defaultQueueName}" does not exist: queue "${first.name}"`,
  };
}
