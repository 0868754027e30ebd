import { dispatchMessage, type DispatchAccount, type RoutingTable } from '../dispatch/index.js';
import { isMailductError } from '../errors/index.js';
import {
  clientFor,
  type ClientOptions,
  type MailboxClient,
  type MailboxSettings,
  type RemoteMessage,
} from '../mail/index.js';
import { MessageHeaders, summarizeHeaders } from '../headers/index.js';
import { listedBytes } from './fetch-plan.js';
import { previewFolder, summarize, type FolderPreview, type ImportPreview } from './import-preview.js';
import type { RunError } from './run-recorder.js';

/** The result of a connection test. */
export type ProbeResult = { ok: true; messages: number; bytes: number } | { ok: false; error: RunError };

/** One message of a dry run: where it would go, nothing changed. */
export interface DryRunItem {
  id: string;
  /** The IMAP folder; null for POP3. */
  folder: string | null;
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

/** What a dry run needs of the account beside its connection. */
export interface DryRunOptions {
  limit: number;
  maxBytes: number;
  /** The folders read ("" for a POP3 maildrop). */
  folders: string[];
  initialImport: ImportPreview['initialImport'];
  cutoff: Date | null;
}

/**
 * What a first run would do, changing nothing on the server or in the database: per folder how
 * many messages the server holds, their oldest and newest date and how many the initial import
 * would take, and for the first `limit` of those taken where they would be dispatched (from
 * their header sections only). Throws the classified connection error (a missing move target too).
 */
export async function dryRunMailbox(
  settings: MailboxSettings,
  options: ClientOptions,
  account: DispatchAccount,
  table: RoutingTable,
  o: DryRunOptions,
): Promise<{ total: number; items: DryRunItem[]; import: ImportPreview }> {
  const folders: FolderPreview[] = [];
  const items: DryRunItem[] = [];
  for (const folder of o.folders) {
    const client = clientFor({ ...settings, imapFolder: folder || null }, options);
    try {
      await client.connect();
      const list = await client.list();
      const { preview, taken } = previewFolder(
        folder || null,
        list,
        await client.arrivals(list, new Date(0)),
        o.cutoff,
      );
      folders.push(preview);
      const shown = taken.slice(0, Math.max(0, o.limit - items.length));
      items.push(...(await itemsOf(client, shown, folder || null, o.maxBytes, account, table)));
    } finally {
      await client.close();
    }
  }
  const summary = summarize(o.initialImport, o.cutoff, folders);
  return { total: summary.total, items, import: summary };
}

/** Where each message would be dispatched, from its header section. */
async function itemsOf(
  client: MailboxClient,
  shown: RemoteMessage[],
  folder: string | null,
  maxBytes: number,
  account: DispatchAccount,
  table: RoutingTable,
): Promise<DryRunItem[]> {
  const headers = await client.fetchHeaders(shown.filter((m) => m.size <= maxBytes));
  return shown.map((m): DryRunItem => {
    const base = {
      id: m.id,
      folder,
      seq: m.seq,
      size: m.size,
      subject: null,
      from: null,
      date: null,
      queue: null,
      by: null,
    };
    if (m.size > maxBytes)
      return {
        ...base,
        status: 'oversized',
        reason: `larger than MAILDUCT_MAX_MESSAGE_BYTES (${maxBytes}): stays on the server`,
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
}

function runErrorOf(err: unknown): RunError {
  if (isMailductError(err)) return { class: err.errorClass ?? 'protocol', code: err.code, message: err.message };
  return { class: 'protocol', code: 'MAIL_PROTOCOL', message: (err as Error)?.message ?? String(err) };
}
