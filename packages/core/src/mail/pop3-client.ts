import { MailductError } from '../errors/index.js';
import { classifyMailError, serverExcerpt } from './classify-mail-error.js';
import { MessageHeaders, summarizeHeaders } from '../headers/index.js';
import type {
  AfterFetch,
  BearerSource,
  CommitResult,
  Downloaded,
  MailboxClient,
  MailboxIdentity,
  RemoteMessage,
  ServerSettings,
} from './mailbox-client.js';
import {
  loginWithBearer,
  noOAuthLogin,
  OAUTH_ABORT,
  oauthMechanism,
  oauthResponse,
  type OAuthMechanism,
} from './sasl-oauth.js';
import { Pop3Connection, pop3Error, type Pop3Status } from './pop3-connection.js';
import { resolveMailHost } from './resolve-mail-host.js';
import { tlsOptionsFor } from './tls-options.js';

export type Pop3Settings = ServerSettings;

/**
 * POP3, POP3S and POP3TLS (RFC 1939, 2449 CAPA, 2595 STLS). Deletions (DELE) only take effect
 * at QUIT (`commit`); a session that ends any other way deletes nothing. With afterFetch keep a
 * commit changes nothing on the server and the session goes on.
 */
export class Pop3MailboxClient implements MailboxClient {
  private readonly afterFetch: AfterFetch;
  private conn: Pop3Connection | null = null;
  private capabilities = new Set<string>();
  /** The SASL mechanisms of the CAPA answer (RFC 2449 "SASL"). */
  private sasl = new Set<string>();
  /** The password or access token of the session, cut out of every error. */
  private secret: string;
  private toDelete: number[] = [];

  constructor(private readonly s: Pop3Settings) {
    this.secret = s.password;
    this.afterFetch = s.afterFetch ?? { action: 'delete' };
    if (this.afterFetch.action !== 'delete' && this.afterFetch.action !== 'keep')
      throw new MailductError('MAIL_ACCOUNT_MISCONFIGURED', `POP3 has no afterFetch ${this.afterFetch.action}`);
  }

  get commitEndsSession(): boolean {
    return this.afterFetch.action === 'delete';
  }

  identity(): MailboxIdentity {
    return { folder: null, uidValidity: null };
  }

  async connect(): Promise<void> {
    await this.openSession();
    if (this.s.bearer) return this.bearerLogin(this.s.bearer);
    const conn = this.open();
    await this.guard(async () => {
      expectOk(await conn.command(`USER ${this.s.username}`), 'USER', { authenticationFailed: true });
      expectOk(await conn.command(`PASS ${this.s.password}`, 'PASS ********'), 'PASS', { authenticationFailed: true });
    });
  }

  /** Connect, greeting, capabilities, STLS and UTF8: everything before the login. */
  private async openSession(): Promise<void> {
    const tls = tlsOptionsFor({ host: this.s.host, verify: this.s.tlsVerify, extraCa: this.s.extraCa });
    await this.guard(async () => {
      const address = this.s.hostPolicy ? await resolveMailHost(this.s.host, this.s.hostPolicy) : this.s.host;
      const conn = await Pop3Connection.open(
        address,
        this.s.port,
        this.s.timeouts,
        this.s.security === 'tls' ? tls : null,
        this.s.trace,
      );
      this.conn = conn;
      expectOk(await conn.greeting(), 'greeting');
      await this.readCapabilities();
      if (this.s.security === 'starttls') {
        if (!this.capabilities.has('STLS')) throw pop3Error('the server does not offer STLS', { tlsFailed: true });
        expectOk(await conn.command('STLS'), 'STLS', { tlsFailed: true });
        await conn.startTls(tls);
        await this.readCapabilities();
      }
      // RFC 6856: a server offering UTF8 may replace a mail with raw UTF-8 headers by a generated
      // notice (Courier does) unless the client says it takes UTF-8; mailduct stores bytes as they are.
      if (this.capabilities.has('UTF8')) expectOk(await conn.command('UTF8'), 'UTF8');
    });
  }

  /** AUTH OAUTHBEARER or XOAUTH2 with the account's token; a refused token is renewed once, on a new connection. */
  private async bearerLogin(bearer: BearerSource): Promise<void> {
    const mechanism = oauthMechanism(this.sasl);
    if (!mechanism) {
      this.conn?.destroy();
      this.conn = null;
      throw noOAuthLogin(this.s.host, [...this.sasl]);
    }
    await loginWithBearer(bearer, async (token, again) => {
      if (again) {
        this.conn?.destroy();
        await this.openSession();
      }
      await this.authenticate(mechanism, token);
    });
  }

  private async authenticate(mechanism: OAuthMechanism, token: string): Promise<void> {
    this.secret = token;
    const conn = this.open();
    await this.guard(async () => {
      const response = oauthResponse(mechanism, { user: this.s.username, token, host: this.s.host, port: this.s.port });
      expectOk(await conn.authenticate(mechanism, response, OAUTH_ABORT[mechanism]), `AUTH ${mechanism}`, {
        authenticationFailed: true,
      });
    });
  }

  /**
   * Every message of the maildrop. A UIDL the server gives more than one message (RFC 1939 forbids
   * it; some servers do it) identifies none of them: those are listed as `#<number>`, valid for
   * this session only, and marked `uidlRepeated`.
   */
  async list(): Promise<RemoteMessage[]> {
    const conn = this.open();
    return this.guard(async () => {
      const sizes = parseListing(await this.multi('LIST'));
      const uidl = await conn.command('UIDL');
      const ids = uidl.ok ? parseListing(await conn.readMultiline(64 * 1024 * 1024)) : new Map<number, string>();
      const uses = new Map<string, number>();
      for (const id of ids.values()) uses.set(id, (uses.get(id) ?? 0) + 1);
      return [...sizes.entries()]
        .sort(([a], [b]) => a - b)
        .map(([seq, size]) => {
          const id = ids.get(seq);
          const repeated = id !== undefined && uses.get(id)! > 1;
          const message: RemoteMessage = {
            seq,
            id: id === undefined || repeated ? `#${seq}` : id,
            size: Number(size) || 0,
          };
          return repeated ? { ...message, uidlRepeated: true } : message;
        });
    });
  }

  async fetchMany(messages: readonly RemoteMessage[], caps: readonly number[]): Promise<(Downloaded | undefined)[]> {
    const conn = this.open();
    // A message longer than its cap is read to its end and dropped, so the session goes on; one
    // that does not end within a few times the size limit is a flood, and fails the session.
    const limit = DISCARD_FACTOR * this.s.maxMessageBytes;
    return this.guard(async () => {
      const out: Downloaded[] = [];
      // RFC 2449 PIPELINING: send every RETR, then read the answers in order.
      if (this.capabilities.has('PIPELINING')) {
        for (const m of messages) conn.write(`RETR ${m.seq}`);
        for (const [i, m] of messages.entries()) {
          expectOk(await conn.readStatus(), `RETR ${m.seq}`);
          out.push(await conn.readBody(caps[i]!, limit));
        }
        return out;
      }
      for (const [i, m] of messages.entries()) {
        expectOk(await conn.command(`RETR ${m.seq}`), `RETR ${m.seq}`);
        out.push(await conn.readBody(caps[i]!, limit));
      }
      return out;
    });
  }

  async fetchHeaders(messages: RemoteMessage[]): Promise<Map<string, Buffer>> {
    const conn = this.open();
    return this.guard(async () => {
      const out = new Map<string, Buffer>();
      // TOP n 0: the header section and no body lines (RFC 1939 §7).
      for (const m of messages) {
        expectOk(await conn.command(`TOP ${m.seq} 0`), `TOP ${m.seq}`);
        out.set(m.id, await conn.readMultiline(4 * 1024 * 1024));
      }
      return out;
    });
  }

  /** The Date header of each message (TOP n 0); POP3 has no arrival time of its own. */
  async arrivals(messages: readonly RemoteMessage[]): Promise<Map<string, Date | null>> {
    const headers = await this.fetchHeaders([...messages]);
    const out = new Map<string, Date | null>();
    for (const m of messages) {
      const raw = headers.get(m.id);
      const date = raw ? summarizeHeaders(MessageHeaders.fromRaw(raw)).date : null;
      out.set(m.id, date === null ? null : new Date(date));
    }
    return out;
  }

  async markHandled(messages: RemoteMessage[]): Promise<void> {
    // Recorded only: the DELE commands go out with the commit, so marking never interleaves with
    // a download in flight on this connection.
    this.toDelete.push(...messages.map((m) => m.seq));
  }

  async commit(): Promise<CommitResult> {
    if (this.afterFetch.action === 'keep') {
      this.toDelete = [];
      return { reusable: true, expunged: true };
    }
    const conn = this.open();
    await this.guard(async () => {
      if (this.capabilities.has('PIPELINING')) {
        for (const seq of this.toDelete) conn.write(`DELE ${seq}`);
        for (const seq of this.toDelete) expectOk(await conn.readStatus(), `DELE ${seq}`);
      } else {
        for (const seq of this.toDelete) expectOk(await conn.command(`DELE ${seq}`), `DELE ${seq}`);
      }
      // RFC 1939 §6: DELE takes effect in the UPDATE state, entered only by QUIT.
      expectOk(await conn.command('QUIT'), 'QUIT');
    });
    this.toDelete = [];
    conn.destroy();
    this.conn = null;
    return { reusable: false, expunged: true };
  }

  /**
   * End the session. DELE goes out only inside `commit`, right before its QUIT, so a session
   * closed here has nothing marked on the server: QUIT deletes nothing.
   */
  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    if (!conn) return;
    try {
      await withTimeout(conn.command('QUIT'), 2000);
    } catch {
      // dropping the connection without QUIT deletes nothing either
    } finally {
      this.toDelete = [];
      conn.destroy();
    }
  }

  private async readCapabilities(): Promise<void> {
    const conn = this.open();
    const capa = await conn.command('CAPA');
    const lines = capa.ok
      ? (await conn.readMultiline(1024 * 1024))
          .toString('latin1')
          .split(/\r?\n/)
          .map((l) => l.trim().toUpperCase().split(/\s+/))
      : [];
    this.capabilities = new Set(lines.map((words) => words[0]!).filter(Boolean));
    this.sasl = new Set(lines.find((words) => words[0] === 'SASL')?.slice(1) ?? []);
  }

  private async multi(command: string): Promise<Buffer> {
    const conn = this.open();
    expectOk(await conn.command(command), command);
    return conn.readMultiline(64 * 1024 * 1024);
  }

  private open(): Pop3Connection {
    if (!this.conn) throw new MailductError('MAIL_NETWORK', 'not connected');
    return this.conn;
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const classified = classifyMailError(err, [this.secret]);
      this.conn?.destroy();
      this.conn = null;
      throw classified;
    }
  }
}

/** How many times the size limit a message may run on before the session is given up. */
const DISCARD_FACTOR = 4;

/** Throw a classified error for a -ERR answer; RFC 2449/3206 response codes refine the class. */
function expectOk(status: Pop3Status, what: string, props: Record<string, unknown> = {}): void {
  if (status.ok) return;
  const code = /^\[([A-Z/-]+)\]/i.exec(status.text)?.[1]?.toUpperCase();
  const extra =
    code === 'IN-USE' || code === 'SYS/TEMP' || code === 'LOGIN-DELAY'
      ? { serverResponseCode: 'IN-USE' }
      : code === 'AUTH'
        ? { serverResponseCode: 'AUTH' }
        : props;
  throw pop3Error(`${what} failed: -ERR ${serverExcerpt(status.text)}`, {
    ...extra,
    responseText: serverExcerpt(status.text),
  });
}

function parseListing(body: Buffer): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of body.toString('latin1').split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+(\S+)/.exec(line);
    if (m) out.set(Number(m[1]), m[2]!);
  }
  return out;
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
