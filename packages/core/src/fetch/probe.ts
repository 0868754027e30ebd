import { dispatchMessage, type DispatchAccount, type RoutingTable } from '../dispatch/index.js';
import { isMailductError } from '../errors/index.js';
import { clientFor, type ClientOptions, type MailboxSettings } from '../mail/index.js';
import { MessageHeaders, summarizeHeaders } from '../headers/index.js';
import { listedBytes } from './fetch-plan.js';
import type { RunError } from './run-recorder.js';

/** The result of a connection test. */
export type ProbeResult = { ok: true; messages: number; bytes: number } | { ok: false; error: RunError };

/** One message of a dry run: where it would go, nothing changed. */
export interface DryRunItem {
  id: string;
  seq: number;
  size: number;
  subject: string | null;
  from: string | null;
  date: string | null;
  /** oversized: stays on the server; ignored: X-OTOBO-Ignore; quarantined: headers unreadable. */
  status: 'dispatched' | 'ignored' | 'quarantined' | 'oversized';
  queue: { id: number; name: string } | null;
  by: string | null;
  reason: string;
}

/** Connect, authenticate, open the folder and count what is there. Never throws. */
export async function probeMailbox(settings: MailboxSettings, options: ClientOptions): Promise<ProbeResult> {
  const client = clientFor(settings, options);
  try {
    await client.connect();
    const list = await client.list();
    return { ok: true, messages: list.length, bytes: listedBytes(list) };
  } catch (err) {
    return { ok: false, error: runErrorOf(err) };
  } finally {
    await client.close();
  }
}

/**
 * List up to `limit` messages and dispatch their headers as a fetch would, reading only the
 * header sections and changing nothing on the server or in the database. Throws the classified
 * connection error.
 */
export async function dryRunMailbox(
  settings: MailboxSettings,
  options: ClientOptions,
  account: DispatchAccount,
  table: RoutingTable,
  o: { limit: number; maxBytes: number },
): Promise<{ total: number; items: DryRunItem[] }> {
  const client = clientFor(settings, options);
  try {
    await client.connect();
    const list = await client.list();
    const shown = list.slice(0, o.limit);
    const headers = await client.fetchHeaders(shown.filter((m) => m.size <= o.maxBytes));
    const items = shown.map((m): DryRunItem => {
      const base = { id: m.id, seq: m.seq, size: m.size, subject: null, from: null, date: null, queue: null, by: null };
      if (m.size > o.maxBytes)
        return {
          ...base,
          status: 'oversized',
          reason: `larger than MAILDUCT_MAX_MESSAGE_BYTES (${o.maxBytes}): stays on the server`,
        };
      const raw = headers.get(m.id);
      const h = raw ? MessageHeaders.fromRaw(raw) : null;
      if (!h || h.fields.length === 0) return { ...base, status: 'quarantined', reason: 'no header fields found' };
      const summary = summarizeHeaders(h);
      const d = dispatchMessage(h, account, table);
      return {
        ...base,
        subject: summary.subject,
        from: summary.from[0]?.address ?? null,
        date: summary.date,
        status: d.status,
        queue: d.queue,
        by: d.by,
        reason: d.reason,
      };
    });
    return { total: list.length, items };
  } finally {
    await client.close();
  }
}

function runErrorOf(err: unknown): RunError {
  if (isMailductError(err)) return { class: err.errorClass ?? 'protocol', code: err.code, message: err.message };
  return { class: 'protocol', code: 'MAIL_PROTOCOL', message: (err as Error)?.message ?? String(err) };
}
