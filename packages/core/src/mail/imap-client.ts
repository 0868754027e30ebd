import { isIP } from 'node:net';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { resolveMailHost } from './resolve-mail-host.js';
import { MailductError } from '../errors/index.js';
import { classifyMailError } from './classify-mail-error.js';
import type {
  CommitResult,
  Downloaded,
  ListOptions,
  MailboxClient,
  ProtocolTrace,
  RemoteMessage,
  ServerSettings,
} from './mailbox-client.js';
import { loginWithBearer, noOAuthLogin } from './sasl-oauth.js';
import { tlsOptionsFor } from './tls-options.js';

export interface ImapSettings extends ServerSettings {
  folder: string;
}

/** imapflow's command runner (what its own autoEnable uses; not in its public types). */
type ImapRun = { run(command: 'ENABLE', extensions: string[]): Promise<unknown> };

/** Sequence numbers per UID SEARCH: at most ~11 bytes a UID, an answer line stays below 600 KB. */
const SEARCH_SPAN = 50_000;

/** IMAP, IMAPS and IMAPTLS on imapflow. Only the account's folder is opened. */
export class ImapMailboxClient implements MailboxClient {
  readonly commitEndsSession = false;
  private client: ImapFlow | null = null;
  private pending: string[] = [];
  /** UIDs this session flagged \\Deleted and could not expunge yet (no UIDPLUS). */
  private flagged = new Set<string>();
  /** What imapflow reported on its 'error' event: the real cause behind a later NoConnection. */
  private cause: unknown = null;
  /** The password or access token of the session, cut out of every error and trace line. */
  private secret = '';

  constructor(private readonly s: ImapSettings) {}

  async connect(): Promise<void> {
    const user = this.s.username;
    if (!this.s.bearer) return this.session({ user, pass: this.s.password });
    await loginWithBearer(this.s.bearer, (accessToken) => this.session({ user, accessToken }));
  }

  private async session(auth: { user: string; pass?: string; accessToken?: string }): Promise<void> {
    this.cause = null;
    this.client?.close();
    this.client = null;
    this.secret = auth.accessToken ?? auth.pass ?? '';
    await this.guard(async () => {
      const address = this.s.hostPolicy ? await resolveMailHost(this.s.host, this.s.hostPolicy) : this.s.host;
      const client = new ImapFlow(this.options(address, auth));
      // An error event after connect (socket reset, timeout, parser limit) must not crash the
      // process: the pending command rejects with NoConnection, and the run fails with this cause.
      client.on('error', (err: unknown) => {
        this.cause ??= err;
      });
      this.client = client;
      try {
        await client.connect();
      } catch (err) {
        if (auth.accessToken && /unsupported authentication mechanism/i.test((err as Error)?.message ?? ''))
          throw noOAuthLogin(
            this.s.host,
            [...client.capabilities.keys()].filter((c) => c.startsWith('AUTH=')).map((c) => c.slice(5)),
            client.capabilities.has('LOGINDISABLED') ? ' (LOGIN disabled)' : '',
          );
        throw err;
      }
      // RFC 6855: a server offering UTF8=ACCEPT may hand a client that did not enable it a
      // downgraded copy of a mail with raw UTF-8 headers (RFC 6857); mailduct stores bytes as they
      // are, so it enables UTF8=ACCEPT, and only that (see disableAutoEnable), before SELECT.
      if (client.capabilities.has('UTF8=ACCEPT')) await (client as unknown as ImapRun).run('ENABLE', ['UTF8=ACCEPT']);
      await client.mailboxOpen(this.s.folder);
    });
  }

  async list(options: ListOptions = {}): Promise<RemoteMessage[]> {
    const client = this.open();
    return this.guard(async () => {
      const exists = client.mailbox ? client.mailbox.exists : 0;
      if (exists === 0) return [];
      if (options.exactAbove === undefined) return this.listWithSizes(client, '1:*', false);
      // UID SEARCH names the messages on one line each answer, and SEARCH LARGER the few whose size
      // matters; a FETCH RFC822.SIZE of the whole folder costs an untagged response per message
      // (RFC 3501 §2.3.1.1: UIDs ascend in sequence order, so UID order is server order). One
      // search per SEARCH_SPAN sequence numbers keeps each answer far below the line limit
      // (a folder of 150,000 messages answers UID SEARCH ALL with more than 1 MiB on one line).
      const bound = options.exactAbove;
      const all: number[] = [];
      const large: number[] = [];
      for (let from = 1; from <= exists; from += SEARCH_SPAN) {
        const seq = `${from}:${Math.min(exists, from + SEARCH_SPAN - 1)}`;
        all.push(...(await this.searchUids(client, { seq })));
        large.push(...(await this.searchUids(client, { seq, larger: bound })));
      }
      // A server whose SEARCH disagrees with its own EXISTS count is listed the long way.
      if (all.length !== exists) return this.listWithSizes(client, '1:*', false);
      const sizes = new Map(
        (large.length > 0 ? await this.listWithSizes(client, large.join(','), true) : []).map((m) => [m.id, m.size]),
      );
      return all.map((uid, i) => ({ id: String(uid), seq: i + 1, size: sizes.get(String(uid)) ?? bound }));
    });
  }

  private async listWithSizes(client: ImapFlow, range: string, byUid: boolean): Promise<RemoteMessage[]> {
    const messages: RemoteMessage[] = [];
    for await (const m of client.fetch(range, { uid: true, size: true }, { uid: byUid }))
      messages.push({ id: String(m.uid), seq: m.seq, size: m.size ?? 0 });
    return messages.sort((a, b) => a.seq - b.seq);
  }

  private async searchUids(client: ImapFlow, query: { seq: string; larger?: number }): Promise<number[]> {
    const uids = await client.search(query, { uid: true });
    if (!uids)
      throw new MailductError(
        'MAIL_PROTOCOL',
        `the server refused UID SEARCH ${query.seq}${query.larger === undefined ? '' : ' LARGER'}`,
      );
    return [...uids].sort((a, b) => a - b);
  }

  async fetchMany(messages: readonly RemoteMessage[], caps: readonly number[]): Promise<(Downloaded | undefined)[]> {
    const client = this.open();
    if (messages.length === 0) return [];
    return this.guard(async () => {
      const byUid = new Map<string, Buffer>();
      // One UID FETCH BODY.PEEK[]<0.n> for the whole batch: one round trip, each message one
      // literal of at most n bytes (imapflow's download() would fetch in partial chunks, 4× slower
      // for 1 MiB mails). n is one more than the largest cap, so a message above its cap is known
      // as such without its bytes beyond; imapflow's literal limit stops a server that ignores it.
      const maxLength = Math.max(...caps) + 1;
      for await (const m of client.fetch(
        messages.map((x) => x.id).join(','),
        { uid: true, source: { start: 0, maxLength } },
        { uid: true },
      )) {
        if (m.source) byUid.set(String(m.uid), m.source);
      }
      return messages.map((message, i) => {
        const raw = byUid.get(message.id);
        if (!raw) return undefined;
        return raw.length > caps[i]! ? { tooLarge: raw.length } : { raw };
      });
    });
  }

  async fetchHeaders(messages: RemoteMessage[]): Promise<Map<string, Buffer>> {
    const client = this.open();
    if (messages.length === 0) return new Map();
    return this.guard(async () => {
      const out = new Map<string, Buffer>();
      for await (const m of client.fetch(
        messages.map((x) => x.id).join(','),
        { uid: true, headers: true },
        { uid: true },
      )) {
        if (m.headers) out.set(String(m.uid), m.headers);
      }
      return out;
    });
  }

  async markDeleted(messages: RemoteMessage[]): Promise<void> {
    this.pending.push(...messages.map((m) => m.id));
  }

  /**
   * Flag the marked UIDs \Deleted (STORE +FLAGS.SILENT: no FETCH response per message) and
   * expunge exactly those: UID EXPUNGE where the server has UIDPLUS (RFC 4315). Without it only a
   * plain EXPUNGE exists, which removes every \Deleted message of the folder, also ones another
   * client flagged or mailduct never downloaded; it is sent only when UID SEARCH DELETED finds
   * nothing but UIDs this session flagged. Otherwise they stay flagged (stored, not expunged),
   * the commit says so, and a later run expunges them once the folder allows it. (Another client
   * flagging a message between that SEARCH and the EXPUNGE is a window no command closes without
   * UIDPLUS; it is one round trip wide.)
   */
  async commit(): Promise<CommitResult> {
    const client = this.open();
    // Take exactly what is marked now: more may be marked while this command runs.
    const uids = this.pending.splice(0);
    if (uids.length === 0) return { reusable: true, expunged: true };
    return this.guard(async () => {
      const range = uids.join(',');
      // `silent` (passed on to imapflow's STORE, not in its MessageRangeOptions type) asks for +FLAGS.SILENT.
      const options = { uid: true, silent: true };
      if (client.capabilities.has('UIDPLUS')) {
        if (!(await client.messageDelete(range, options)))
          throw new MailductError('MAIL_PROTOCOL', 'the server refused to delete the stored messages');
        return { reusable: true, expunged: true };
      }
      if (!(await client.messageFlagsAdd(range, ['\\Deleted'], options)))
        throw new MailductError('MAIL_PROTOCOL', 'the server refused to flag the stored messages \\Deleted');
      for (const uid of uids) this.flagged.add(uid);
      const deleted = await client.search({ deleted: true }, { uid: true });
      if (!deleted) throw new MailductError('MAIL_PROTOCOL', 'the server refused UID SEARCH DELETED');
      const foreign = deleted.filter((uid) => !this.flagged.has(String(uid)));
      if (foreign.length > 0) {
        const warning = `the server has no UIDPLUS and ${foreign.length} other message(s) in "${this.s.folder}" are flagged \\Deleted: ${this.flagged.size} stored message(s) were flagged \\Deleted but not expunged (a plain EXPUNGE would remove the others too)`;
        return { reusable: true, expunged: false, warning };
      }
      // Flagged again by messageDelete (harmless), then the plain EXPUNGE: only ours are \Deleted.
      if (!(await client.messageDelete([...this.flagged].join(','), options)))
        throw new MailductError('MAIL_PROTOCOL', 'the server refused to expunge the stored messages');
      this.flagged.clear();
      return { reusable: true, expunged: true };
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.pending = [];
    this.flagged.clear();
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
      const classified = classifyMailError(lost ? this.cause : err, [this.secret]);
      if (
        classified.code === 'MAIL_FOLDER_MISSING' ||
        (classified.code === 'MAIL_PROTOCOL' &&
          /mailbox/i.test(classified.message) &&
          /exist|not found|unknown/i.test(classified.message))
      ) {
        throw new MailductError(
          'MAIL_FOLDER_MISSING',
          `IMAP folder "${this.s.folder}" does not exist on ${this.s.host}`,
          { cause: err },
        );
      }
      throw classified;
    }
  }

  /** imapflow's options; `address` is where to connect (the checked address), `s.host` the name TLS verifies. */
  private options(address: string, auth: ImapFlowOptions['auth']): ImapFlowOptions {
    const s = this.s;
    const opts: ImapFlowOptions = {
      host: address,
      ...(isIP(s.host) === 0 ? { servername: s.host } : {}),
      port: s.port,
      secure: s.security === 'tls',
      doSTARTTLS: s.security === 'starttls' ? true : s.security === 'plain' ? false : undefined,
      auth,
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
      logger: s.trace ? traceLogger(s.trace, this.secret) : false,
      // Not logRaw: raw bytes would carry AUTHENTICATE data; imapflow masks `sensitive` values in its command log.
      logRaw: false,
      maxLineLength: 1024 * 1024,
      // A literal above the size limit is never buffered: the run fails instead (downloads ask for
      // at most the limit + 1 bytes, so only a server that ignores the partial range sends more).
      maxLiteralSize: s.maxMessageBytes + 1,
    };
    return opts;
  }
}

function traceLogger(trace: ProtocolTrace, password: string) {
  const emit = (entry: { msg?: string; src?: string }) => {
    const text = entry.msg ?? '';
    for (const line of text.split(/\r?\n/))
      if (line)
        trace(
          entry.src === 's' ? 'S' : entry.src === 'c' ? 'C' : '*',
          password ? line.split(password).join('********') : line,
        );
  };
  return { debug: emit, info: emit, warn: emit, error: emit, trace: emit };
}
