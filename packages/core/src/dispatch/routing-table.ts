/** A queue as dispatch sees it. */
export interface RouteQueue {
  id: number;
  name: string;
  valid: boolean;
}

/** Everything dispatch needs to know about queues and system addresses, loaded once per run. */
export interface RoutingTable {
  /** Valid system addresses, lower-case, to their queue id. */
  addresses: ReadonlyMap<string, number>;
  queues: ReadonlyMap<number, RouteQueue>;
  /** OTOBO's PostmasterDefaultQueue (MAILDUCT_DEFAULT_QUEUE). */
  defaultQueueName: string;
}

/** Build a routing table from rows. */
export function buildRoutingTable(
  queues: readonly RouteQueue[],
  addresses: readonly { address: string; queueId: number; valid: boolean }[],
  defaultQueueName: string,
): RoutingTable {
  return {
    queues: new Map(queues.map((q) => [q.id, q])),
    addresses: new Map(addresses.filter((a) => a.valid).map((a) => [a.address.toLowerCase(), a.queueId])),
    defaultQueueName,
  };
}

/** A queue by name: exact first, then ignoring case (OTOBO on MySQL compares case-insensitively). */
export function queueNamed(table: RoutingTable, name: string): RouteQueue | undefined {
  const wanted = name.trim();
  let loose: RouteQueue | undefined;
  for (const q of table.queues.values()) {
    if (q.name === wanted) return q;
    if (!loose && q.name.toLowerCase() === wanted.toLowerCase()) loose = q;
  }
  return loose;
}
