import {
  afterFetchOfRow,
  dispatchOfRow,
  draftFromInput,
  effectivePort,
  foldersOfRow,
  importCutoffOfRow,
  normalHost,
  type AccountDraft,
  type AccountInput,
} from '../accounts/index.js';
import type { SecretBox } from '../crypto/index.js';
import { isRowId, type PrismaClient } from '../db/index.js';
import { MailductError, validationError } from '../errors/index.js';
import { recordAudit } from '../audit/index.js';
import { DEFAULT_TIMEOUTS, type MailboxSettings, type MailHostPolicy } from '../mail/index.js';
import { dryRunMailbox, probeMailbox, type DryRunItem, type DryRunOptions, type ProbeResult } from './probe.js';
import type { ImportPreview } from './import-preview.js';

/** A dry run's answer. */
export type DryRunResult = { total: number; items: DryRunItem[]; import: ImportPreview };
import type { RoutingLoader } from './routing-loader.js';
import { mailboxSettingsOf } from './mailbox-settings.js';
import type { AccessTokens } from '../oauth2/index.js';

export interface ProbeServiceDeps {
  prisma: PrismaClient;
  secrets: SecretBox;
  /** OAuth2 accounts' tokens, for testing a stored OAuth2 account. */
  tokens?: AccessTokens;
  routing: RoutingLoader;
  extraCa?: string;
  maxMessageBytes: number;
  hostPolicy?: MailHostPolicy;
}

// An admin waits for these in the browser: shorter than a fetch's timeouts.
const PROBE_TIMEOUTS = { connect: 10_000, greeting: 10_000, command: 20_000 };

/** Test connection and dry run, for stored accounts and for settings not yet saved. */
export class ProbeService {
  constructor(private readonly deps: ProbeServiceDeps) {}

  /** Test a stored account (audited). Throws ACCOUNT_NOT_FOUND. */
  async testAccount(id: number, actor: string): Promise<ProbeResult> {
    const { settings, row } = await this.stored(id);
    await this.audit(actor, 'test', id, settings);
    return probeMailbox({ ...settings, afterFetch: afterFetchOfRow(row) }, this.options());
  }

  /**
   * Test unsaved settings. Without a password, the stored one of `accountId` is used (the edit
   * form keeps its placeholder), but only for the server and user it belongs to: the same type,
   * host, port and user name. A stored password is never sent anywhere else, so a token holder
   * cannot have it delivered to a host of their choosing. Audited when it uses a stored password.
   * Throws VALIDATION_FAILED, ACCOUNT_NOT_FOUND.
   */
  async testSettings(input: Partial<AccountInput> & { accountId?: number }, actor: string): Promise<ProbeResult> {
    const { settings } = await this.unsaved(input, actor);
    return probeMailbox(settings, this.options());
  }

  /**
   * A dry run of settings not saved yet (the add-account screen shows it before the account
   * fetches anything): the same password rules as testSettings. initialImport none counts from
   * now, the moment the account would be added. Throws VALIDATION_FAILED, ACCOUNT_NOT_FOUND and
   * MAIL_* errors.
   */
  async previewSettings(
    input: Partial<AccountInput> & { accountId?: number },
    limit: number,
    actor: string,
  ): Promise<DryRunResult> {
    const { settings, draft } = await this.unsaved(input, actor);
    // Not saved yet: it would be added now.
    const cutoff = importCutoffOfRow({ ...draft, importSince: sinceOf(draft), createdAt: new Date() });
    return dryRunMailbox(
      settings,
      this.options(),
      { trusted: draft.trusted, dispatch: draft.dispatch },
      await this.deps.routing.load(),
      {
        limit,
        maxBytes: this.deps.maxMessageBytes,
        folders: foldersOfRow(draft),
        initialImport: draft.initialImport,
        cutoff,
      },
    );
  }

  /**
   * Unsaved settings with their secret. Without a password, the stored one of `accountId` is used
   * (the edit form keeps its placeholder), but only for the server and user it belongs to: the
   * same type, host, port and user name. A stored password is never sent anywhere else, so a
   * token holder cannot have it delivered to a host of their choosing. Audited when it uses a
   * stored password.
   */
  private async unsaved(input: Partial<AccountInput> & { accountId?: number }, actor: string) {
    const { accountId, ...fields } = input;
    const oauth2 = fields.auth?.method === 'oauth2';
    const password = fields.password;
    const draft = draftFromInput(
      { ...(fields as AccountInput), ...(oauth2 ? {} : { password: password ?? 'stored' }) },
      { pollIntervalSeconds: 600 },
    );
    const target: MailboxSettings = {
      type: draft.type,
      host: draft.host,
      port: draft.port,
      username: draft.username,
      password: '',
      imapFolder: draft.imapFolder,
      tlsVerify: draft.tlsVerify,
      afterFetch: afterFetchOfRow(draft),
    };
    if (!oauth2 && password !== undefined) return { settings: { ...target, password }, draft };
    // A stored password or grant: only for the server and user it belongs to.
    const field = oauth2 ? 'auth' : 'password';
    if (accountId === undefined)
      throw validationError([
        {
          field,
          problem: oauth2 ? 'an OAuth2 account can be tested once it is saved and authorized' : 'is required',
        },
      ]);
    const { settings: stored, row } = await this.stored(accountId);
    // The same way of signing in: the same provider's grant, or a password.
    const sameSignIn =
      draft.auth.method === 'oauth2' ? row.oauth2ProviderId === draft.auth.providerId : row.authMethod === 'password';
    if (!sameServerAndUser(stored, target) || !sameSignIn)
      throw validationError([
        {
          field,
          problem: `is required: the stored ${oauth2 ? 'grant' : 'password'} of account ${accountId} is only used for its own type, host, port, user name${oauth2 ? ' and provider' : ''}`,
        },
      ]);
    await this.audit(actor, 'test', accountId, target);
    return { settings: { ...target, password: stored.password, bearer: stored.bearer }, draft };
  }

  /** Where the first `limit` messages on the server would be dispatched (audited). Throws ACCOUNT_NOT_FOUND and MAIL_* errors. */
  async dryRun(id: number, limit: number, actor: string): Promise<DryRunResult> {
    const { settings, row } = await this.stored(id);
    await this.audit(actor, 'dry-run', id, settings);
    return dryRunMailbox(
      { ...settings, afterFetch: afterFetchOfRow(row) },
      this.options(),
      { trusted: row.trusted, dispatch: dispatchOfRow(row) },
      await this.deps.routing.load(),
      {
        limit,
        maxBytes: this.deps.maxMessageBytes,
        folders: foldersOfRow(row),
        initialImport: row.initialImport as DryRunOptions['initialImport'],
        cutoff: importCutoffOfRow(row),
      },
    );
  }

  private async audit(
    actor: string,
    action: 'test' | 'dry-run',
    accountId: number,
    target: MailboxSettings,
  ): Promise<void> {
    await recordAudit(this.deps.prisma, {
      actor,
      action,
      entity: 'mail_account',
      entityId: accountId,
      changes: {
        server: {
          from: null,
          to: `${target.type} ${target.host}:${effectivePort(target.type, target.port)} ${target.username}`,
        },
      },
    });
  }

  private async stored(id: number) {
    const row = isRowId(id) ? await this.deps.prisma.mailAccount.findUnique({ where: { id } }) : null;
    if (!row) throw new MailductError('ACCOUNT_NOT_FOUND', `mail account ${id} does not exist`);
    return { settings: mailboxSettingsOf(row, this.deps.secrets, this.deps.tokens), row };
  }

  private options() {
    return {
      extraCa: this.deps.extraCa,
      timeouts: { ...DEFAULT_TIMEOUTS, ...PROBE_TIMEOUTS },
      maxMessageBytes: this.deps.maxMessageBytes,
      hostPolicy: this.deps.hostPolicy,
    };
  }
}

function sinceOf(d: AccountDraft): Date | null {
  return d.importSince === null ? null : new Date(d.importSince);
}

/** The same server and user: type, host (ignoring case and trailing dots), effective port and user name. */
function sameServerAndUser(a: MailboxSettings, b: MailboxSettings): boolean {
  return (
    a.type === b.type &&
    normalHost(a.host) === normalHost(b.host) &&
    effectivePort(a.type, a.port) === effectivePort(b.type, b.port) &&
    a.username === b.username
  );
}
