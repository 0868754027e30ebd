import { isIP } from 'node:net';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { resolveMailHost } from './resolve-mail-host.js';
import { MailductError } from '../errors/index.js';
import { classifyMailError } from './classify-mail-error.js';
import type {
  AfterFetch,
  CommitResult,
  Downloaded,
  ListOptions,
  MailboxClient,
  MailboxIdentity,
  ProtocolTrace,
  RemoteMessage,
  ServerSettings,
} from './mailbox-client.js';
import { applyAfterFetch } from './imap-after-fetch.js';
import { arrivalDates, listFolder } from './imap-listing.js';
import { loginWithBearer, noOAuthLogin } from './sasl-oauth.js';
import { tlsOptionsFor } from './tls-options.js';

export interface ImapSettings extends ServerSettings {
  folder: string;
}

/** imapflow's command runner (what its own autoEnable uses; not in its public types). */
type ImapRun = { run(command: 'ENABLE', extensions: string[]): Promise<unknown> };

/** IMAP, IMAPS and IMAPTLS on imapflow. One folder is opened (and the after-fetch target checked). */
export class ImapMailboxClient implements MailboxClient {
  readonly commitEndsSession = false;
  private readonly afterFetch: AfterFetch;
  private client: ImapFlow | null = null;
  private pending: string[] = [];
  /** UIDs this session flagged \\Deleted and could not expunge yet (no UIDPLUS). */
  private flagged = new Set<string>();
  /** What imapflow reported on its 'error' event: the real cause behind a later NoConnection. */
  private cause: unknown = null;
  /** The password or access token of the session, cut out of every error and trace line. */
  private secret = '';

  constructor(private readonly s: ImapSettings) {
    this.afterFetch = s.afterFetch ?? { action: 'delete' };
  }

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
      if (this.afterFetch.action === 'moveTo') await this.checkTarget(client, this.afterFetch.folder);
    });
  }

  /** The folder messages are moved to must exist before anything is fetched (nothing is moved or deleted otherwise). */
  private async checkTarget(client: ImapFlow, target: string): Promise<void> {
    const found = await client.list({ statusQuery: {} }).then(
      (all) => all.some((f) => f.path === target || (target.toUpperCase() === 'INBOX' && f.specialUse === '\\Inbox')),
      () => false,
    );
    if (!found)
      throw new MailductError(
        'MAIL_FOLDER_MISSING',
        `IMAP folder "${target}" that afterFetch moveTo moves messages to does not exist on ${this.s.host}`,
      );
  }

  identity(): MailboxIdentity {
    const mailbox = this.open().mailbox;
    const validity = mailbox ? mailbox.uidValidity : undefined;
    return { folder: this.s.folder, uidValidity: validity === undefined ? null : Number(validity) };
  }

  /**
   * Hold IDLE (RFC 2177) on the open folder until the session ends: `onNew` is called whenever
   * EXISTS grows the folder. imapflow ends and begins IDLE again every `idleRestartMs`.
   * Resolves 'unsupported' at once for a server without IDLE and 'closed' once `close` ended the
   * session; throws the classified error when the server or the network ended it.
   */
  async watch(onNew: () => void): Promise<'unsupported' | 'closed'> {
    const client = this.open();
    if (!client.capabilities.has('IDLE')) return 'unsupported';
    const onExists = (e: { count: number; prevCount: number }) => {
      if (e.count > e.prevCount) onNew();
    };
    client.on('exists', onExists);
    try {
      await this.guard(async () => {
        while (this.client === client && client.usable) await client.idle();
        if (this.client === client && !client.closedByClient)
          throw Object.assign(new Error('the server ended the IDLE session'), { code: 'ECONNRESET' });
      });
      return 'closed';
    } finally {
      client.off('exists', onExists);
    }
  }

  async list(options: ListOptions = {}): Promise<RemoteMessage[]> {
    const client = this.open();
    const after = options.after && options.after.uidValidity === this.identity().uidValidity ? options.after.uid : 0;
    return this.guard(() => listFolder(client, { exactAbove: options.exactAbove, after }));
  }

  async arrivals(messages: readonly RemoteMessage[], since: Date): Promise<Map<string, Date | null>> {
    const client = this.open();
    return this.guard(() => arrivalDates(client, messages, since));
  }

  async fetchMany(messages: readonly RemoteMessage[], caps: readonly number[]): Promise<(Downloaded | undefined)[]> {
    const client = this.open();
    if (messages.length === 0) return [];
    return this.guard(async () => {
      const byUid = new Map<string, { raw: Buffer; internalDate?: Date }>();
      // One UID FETCH BODY.PEEK[]<0.n> for the whole batch: one round trip, each message one
      // literal of at most n bytes (imapflow's download() would fetch in partial chunks, 4× slower
      // for 1 MiB mails). n is one more than the largest cap, so a message above its cap is known
      // as such without its bytes beyond; imapflow's literal limit stops a server that ignores it.
      const maxLength = Math.max(...caps) + 1;
      for await (const m of client.fetch(
        messages.map((x) => x.id).join(','),
        { uid: true, source: { start: 0, maxLength }, internalDate: true },
        { uid: true },
      )) {
        if (m.source) byUid.set(String(m.uid), { raw: m.source, internalDate: dateOf(m.internalDate) });
      }
      return messages.map((message, i) => {
        const got = byUid.get(message.id);
        if (!got) return undefined;
        return got.raw.length > caps[i]! ? { tooLarge: got.raw.length } : got;
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

  async markHandled(messages: RemoteMessage[]): Promise<void> {
    this.pending.push(...messages.map((m) => m.id));
  }

  /** Apply the after-fetch action to exactly the marked UIDs (imap-after-fetch.ts). */
  async commit(): Promise<CommitResult> {
    const client = this.open();
    // Take exactly what is marked now: more may be marked while this command runs.
    const uids = this.pending.splice(0);
    if (uids.length === 0) return { reusable: true, expunged: true };
    return this.guard(() => applyAfterFetch(client, this.afterFetch, uids, this.flagged, this.s.folder));
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
      if (classified === err) throw err; // ours, already precise
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
      maxIdleTime: s.idleRestartMs ?? 25 * 60 * 1000,
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

function dateOf(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
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
