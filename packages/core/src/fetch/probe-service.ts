import { dispatchOfRow, draftFromInput, type AccountInput } from '../accounts/index.js';
import type { SecretBox } from '../crypto/index.js';
import type { PrismaClient } from '../db/index.js';
import { MailductError } from '../errors/index.js';
import { DEFAULT_TIMEOUTS, type MailboxSettings } from '../mail/index.js';
import { dryRunMailbox, probeMailbox, type DryRunItem, type ProbeResult } from './probe.js';
import type { RoutingLoader } from './routing-loader.js';

export interface ProbeServiceDeps {
  prisma: PrismaClient;
  secrets: SecretBox;
  routing: RoutingLoader;
  extraCa?: string;
  maxMessageBytes: number;
}

// An admin waits for these in the browser: shorter than a fetch's timeouts.
const PROBE_TIMEOUTS = { connect: 10_000, greeting: 10_000, command: 20_000 };

/** Test connection and dry run, for stored accounts and for settings not yet saved. */
export class ProbeService {
  constructor(private readonly deps: ProbeServiceDeps) {}

  /** Test a stored account. Throws ACCOUNT_NOT_FOUND. */
  async testAccount(id: number): Promise<ProbeResult> {
    const { settings } = await this.stored(id);
    return probeMailbox(settings, this.options());
  }

  /**
   * Test unsaved settings. Without a password, the stored one of `accountId` is used (the edit
   * form keeps its placeholder). Throws VALIDATION_FAILED, ACCOUNT_NOT_FOUND.
   */
  async testSettings(input: Partial<AccountInput> & { accountId?: number }): Promise<ProbeResult> {
    const { accountId, ...fields } = input;
    let password = fields.password;
    if (password === undefined && accountId !== undefined) password = (await this.stored(accountId)).settings.password;
    const draft = draftFromInput({ ...(fields as AccountInput), password: password as string }, { pollIntervalSeconds: 600 });
    return probeMailbox({ type: draft.type, host: draft.host, port: draft.port, username: draft.username, password: draft.password!, imapFolder: draft.imapFolder, tlsVerify: draft.tlsVerify }, this.options());
  }

  /** Where the first `limit` messages on the server would be dispatched. Throws ACCOUNT_NOT_FOUND and MAIL_* errors. */
  async dryRun(id: number, limit: number): Promise<{ total: number; items: DryRunItem[] }> {
    const { settings, row } = await this.stored(id);
    return dryRunMailbox(settings, this.options(), { trusted: row.trusted, dispatch: dispatchOfRow(row) }, await this.deps.routing.load(), { limit, maxBytes: this.deps.maxMessageBytes });
  }

  private async stored(id: number) {
    const row = await this.deps.prisma.mailAccount.findUnique({ where: { id } });
    if (!row) throw new MailductError('ACCOUNT_NOT_FOUND', `mail account ${id} does not exist`);
    const settings: MailboxSettings = { type: row.type, host: row.host, port: row.port, username: row.username, password: this.deps.secrets.open(row.passwordEnc), imapFolder: row.imapFolder, tlsVerify: row.tlsVerify };
    return { settings, row };
  }

  private options() {
    return { extraCa: this.deps.extraCa, timeouts: { ...DEFAULT_TIMEOUTS, ...PROBE_TIMEOUTS } };
  }
}
