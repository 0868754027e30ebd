import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { MailductError } from '../errors/index.js';
import { classifyMailError } from './classify-mail-error.js';
import type { ListOptions, MailboxClient, ProtocolTrace, RemoteMessage, ServerSettings } from './mailbox-client.js';
import { tlsOptionsFor } from './tls-options.js';

export interface ImapSettings extends ServerSettings {
  folder: string;
}

/** IMAP, IMAPS and IMAPTLS on imapflow. Only the account's folder is opened. */
export class ImapMailboxClient implements MailboxClient {
  readonly commitEndsSession = false;
  private client: ImapFlow | null = null;
  private pending: string[] = [];
  /** What imapflow reported on its 'error' event: the real cause behind a later NoConnection. */
  private cause: unknown = null;

  constructor(private readonly s: ImapSettings) {}

  async connect(): Promise<void> {
    const client = new ImapFlow(this.options());
    // An error event after connect (socket reset, timeout, parser limit) must not crash the
    // process: the pending command rejects with NoConnection, and the run fails with this cause.
    this.cause = null;
    client.on('error', (err: unknown) => {
      this.cause ??= err;
    });
    this.client = client;
    await this.guard(async () => {
      await client.connect();
      await client.mailboxOpen(this.s.folder);
    });
  }

  async list(options: ListOptions = {}): Promise<RemoteMessage[]> {
    const client = this.open();
    return this.guard(async () => {
      const exists = () => (client.mailbox ? client.mailbox.exists : 0);
      if (exists() === 0) return [];
      if (options.exactAbove === undefined) return this.listWithSizes(client, '1:*', false);
      // UID SEARCH answers with every UID on one line, and SEARCH LARGER names the few messages
      // whose size matters; a FETCH RFC822.SIZE of the whole folder costs an untagged response per
      // message (RFC 3501 §2.3.1.1: UIDs ascend in sequence order, so UID order is server order).
      const bound = options.exactAbove;
      const all = await this.searchUids(client, { all: true });
      // A server whose SEARCH disagrees with its own EXISTS count is listed the long way.
      if (all.length !== exists()) return this.listWithSizes(client, '1:*', false);
      const large = await this.searchUids(client, { larger: bound });
      const sizes = new Map((large.length > 0 ? await this.listWithSizes(client, large.join(','), true) : []).map((m) => [m.id, m.size]));
      return all.map((uid, i) => ({ id: String(uid), seq: i + 1, size: sizes.get(String(uid)) ?? bound }));
    });
  }

  private async listWithSizes(client: ImapFlow, range: string, byUid: boolean): Promise<RemoteMessage[]> {
    const messages: RemoteMessage[] = [];
    for await (const m of client.fetch(range, { uid: true, size: true }, { uid: byUid })) messages.push({ id: String(m.uid), seq: m.seq, size: m.size ?? 0 });
    return messages.sort((a, b) => a.seq - b.seq);
  }

  private async searchUids(client: ImapFlow, query: { all: true } | { larger: number }): Promise<number[]> {
    const uids = await client.search(query, { uid: true });
    if (!uids) throw new MailductError('MAIL_PROTOCOL', `the server refused UID SEARCH ${'all' in query ? 'ALL' : 'LARGER'}`);
    return [...uids].sort((a, b) => a - b);
  }

  async fetch(message: RemoteMessage, maxBytes: number): Promise<Buffer> {
    const one = await this.fetchMany([message], maxBytes);
    const raw = one.get(message.id);
    if (!raw) throw new MailductError('MAIL_PROTOCOL', `the server did not return message ${message.id}`);
    return raw;
  }

  async fetchMany(messages: RemoteMessage[], maxBytes: number): Promise<Map<string, Buffer>> {
    const client = this.open();
    if (messages.length === 0) return new Map();
    return this.guard(async () => {
      const out = new Map<string, Buffer>();
      const uids = messages.map((m) => m.id).join(',');
      // One UID FETCH BODY.PEEK[] for the whole batch: one round trip, each message one literal
      // (imapflow's download() would fetch in partial chunks, 4× slower for 1 MiB mails).
      for await (const m of client.fetch(uids, { uid: true, source: true }, { uid: true })) {
        if (!m.source) continue;
        if (m.source.length > maxBytes) throw new MailductError('MAIL_PROTOCOL', `message ${m.uid} is larger than announced (${m.source.length} bytes)`);
        out.set(String(m.uid), m.source);
      }
      return out;
    });
  }

  async fetchHeaders(messages: RemoteMessage[]): Promise<Map<string, Buffer>> {
    const client = this.open();
    if (messages.length === 0) return new Map();
    return this.guard(async () => {
      const out = new Map<string, Buffer>();
      for await (const m of client.fetch(messages.map((x) => x.id).join(','), { uid: true, headers: true }, { uid: true })) {
        if (m.headers) out.set(String(m.uid), m.headers);
      }
      return out;
    });
  }

  async markDeleted(messages: RemoteMessage[]): Promise<void> {
    this.pending.push(...messages.map((m) => m.id));
  }

  async commit(): Promise<{ reusable: boolean }> {
    const client = this.open();
    // Take exactly what is marked now: more may be marked while this command runs.
    const uids = this.pending.splice(0);
    if (uids.length === 0) return { reusable: true };
    await this.guard(async () => {
      // \Deleted + UID EXPUNGE of exactly these UIDs (RFC 4315); imapflow reports failure as false.
      // `silent` (passed on to imapflow's STORE, not in its MessageRangeOptions type) asks for
      // +FLAGS.SILENT: no FETCH response per message for imapflow to parse.
      const options = { uid: true, silent: true };
      const ok = await client.messageDelete(uids.join(','), options);
      if (!ok) throw new MailductError('MAIL_PROTOCOL', 'the server refused to delete the stored messages');
    });
    return { reusable: true };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.pending = [];
    if (!client) return;
    try {
      await Promise.race([client.logout(), new Promise((r) => setTimeout(r, 2000).unref())]);
    } catch {
      // the session is gone either way
    }
    client.close();
  }

  private open(): ImapFlow {
    if (!this.client) throw new MailductError('MAIL_NETWORK', 'not connected');
    return this.client;
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const lost = (err as { code?: string })?.code === 'NoConnection' && this.cause !== null;
      const classified = classifyMailError(lost ? this.cause : err, [this.s.password]);
      if (classified.code === 'MAIL_FOLDER_MISSING' || (classified.code === 'MAIL_PROTOCOL' && /mailbox/i.test(classified.message) && /exist|not found|unknown/i.test(classified.message))) {
        throw new MailductError('MAIL_FOLDER_MISSING', `IMAP folder "${this.s.folder}" does not exist on ${this.s.host}`, { cause: err, retryable: false });
      }
      throw classified;
    }
  }

  private options(): ImapFlowOptions {
    const s = this.s;
    const opts: ImapFlowOptions = {
      host: s.host,
      port: s.port,
      secure: s.security === 'tls',
      doSTARTTLS: s.security === 'starttls' ? true : s.security === 'plain' ? false : undefined,
      auth: { user: s.username, pass: s.password },
      tls: tlsOptionsFor({ host: s.host, verify: s.tlsVerify, extraCa: s.extraCa }),
      connectionTimeout: s.timeouts.connect,
      greetingTimeout: s.timeouts.greeting,
      socketTimeout: s.timeouts.command,
      disableAutoIdle: true,
      disableCompression: true,
      // No ENABLE (CONDSTORE, UTF8=ACCEPT, IMAP4rev2): nothing here uses modification sequences,
      // and with CONDSTORE enabled every FETCH answer carries a MODSEQ and even a STORE .SILENT is
      // answered with a FETCH per message (RFC 7162 §3.1). Folder names are then sent in modified
      // UTF-7, which every server understands (RFC 3501 §5.1.3). One round trip less per session.
      disableAutoEnable: true,
      logger: s.trace ? traceLogger(s.trace, s.password) : false,
      // Not logRaw: raw bytes would carry AUTHENTICATE data; imapflow masks `sensitive` values in its command log.
      logRaw: false,
      maxLineLength: 1024 * 1024,
      maxLiteralSize: 1024 * 1024 * 1024,
    };
    return opts;
  }
}

function traceLogger(trace: ProtocolTrace, password: string) {
  const emit = (entry: { msg?: string; src?: string }) => {
    const text = entry.msg ?? '';
    for (const line of text.split(/\r?\n/)) if (line) trace(entry.src === 's' ? 'S' : entry.src === 'c' ? 'C' : '*', line.split(password).join('********'));
  };
  return { debug: emit, info: emit, warn: emit, error: emit, trace: emit };
}
