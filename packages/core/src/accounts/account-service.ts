import { diffFields, recordAudit } from '../audit/index.js';
import type { SecretBox } from '../crypto/index.js';
import { isRowId, type MailAccountRow, type Prisma, type PrismaClient } from '../db/index.js';
import { MailductError, validationError } from '../errors/index.js';
import { draftFromInput, draftFromPatch, mailboxKey, type AccountDefaults } from './account-rules.js';
import { foldersOfRow } from './mailbox-policy.js';
import type { AccountDirectory } from './account-directory.js';
import type { AccountReadRepository } from './account-read-repository.js';
import { accountWhere, ACCOUNT_ORDER, type AccountFilter } from './account-filter.js';
import { type AccountDraft, type AccountInput, type AccountPatch } from './account-types.js';
import { draftOfRow, toAccountView, validityToRow, VIEW_INCLUDE, type AccountView } from './account-view.js';

/** What changed, for listeners such as the scheduler. */
export interface AccountChange {
  accountId: number;
  kind: 'created' | 'updated' | 'deleted';
}

export interface AccountServiceDeps {
  prisma: PrismaClient;
  secrets: SecretBox;
  defaults: AccountDefaults;
  /** Called after each committed change; failures are the listener's own business. */
  onChange?: (change: AccountChange) => Promise<void> | void;
  /** In-memory filter index for `list`; without it (or when it cannot answer) `list` uses SQL. */
  directory?: AccountDirectory;
  /** Plain-pg reads for list pages and gets; without it Prisma is used. */
  reads?: AccountReadRepository;
}

const SECRET = new Set(['password']);
const CONNECTION_FIELDS = ['type', 'host', 'port', 'username', 'imapFolders', 'moveToFolder', 'tlsVerify'] as const;

/** Mail account management: validation, encryption, audit trail and change events. */
export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  /** A page of accounts matching the filter, in host/username order, and the total count. */
  async list(filter: AccountFilter): Promise<{ items: AccountView[]; total: number }> {
    const hit = await this.deps.directory?.search(filter);
    if (hit) {
      const rows = this.deps.reads
        ? await this.deps.reads.byIds(hit.ids)
        : await this.deps.prisma.mailAccount.findMany({
            where: { id: { in: hit.ids } },
            include: VIEW_INCLUDE,
          });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return { items: hit.ids.flatMap((id) => (byId.has(id) ? [toAccountView(byId.get(id)!)] : [])), total: hit.total };
    }
    const where = accountWhere(filter);
    const [rows, total] = await Promise.all([
      this.deps.prisma.mailAccount.findMany({
        where,
        orderBy: ACCOUNT_ORDER,
        skip: filter.offset,
        take: filter.limit,
        include: VIEW_INCLUDE,
      }),
      this.deps.prisma.mailAccount.count({ where }),
    ]);
    return { items: rows.map(toAccountView), total };
  }

  /** One account. Throws ACCOUNT_NOT_FOUND. */
  async get(id: number): Promise<AccountView> {
    const row = this.deps.reads ? await this.deps.reads.byId(id) : null;
    return toAccountView(row ?? (await this.row(id, true)));
  }

  /** The stored row and its decrypted password, for fetching. Throws ACCOUNT_NOT_FOUND, SECRET_UNREADABLE. */
  async credentials(id: number): Promise<{ account: MailAccountRow; password: string }> {
    const account = await this.row(id, false);
    return { account, password: this.deps.secrets.open(account.passwordEnc) };
  }

  /** Create an account. Throws VALIDATION_FAILED, ACCOUNT_EXISTS. */
  async create(input: AccountInput, actor: string): Promise<AccountView> {
    const draft = draftFromInput(input, this.deps.defaults);
    await this.checkQueue(draft);
    await this.checkProvider(draft);
    await this.checkDuplicate(draft, null);
    const row = await this.refusingDuplicates(draft, null, (tx) => this.createRow(tx, draft, actor));
    await this.notify({ accountId: row.id, kind: 'created' });
    return toAccountView(row);
  }

  private async createRow(tx: Tx, draft: AccountDraft, actor: string) {
    const created = await tx.mailAccount.create({
      data: {
        ...this.columns(draft),
        passwordEnc: draft.auth.method === 'password' ? this.deps.secrets.seal(draft.password ?? '') : '',
        createdBy: actor,
        updatedBy: actor,
      },
      include: VIEW_INCLUDE,
    });
    await recordAudit(tx, {
      actor,
      action: 'create',
      entity: 'mail_account',
      entityId: created.id,
      changes: diffFields(null, auditable(draft), SECRET),
    });
    return created;
  }

  /** Change an account; an omitted password keeps the stored one. Throws ACCOUNT_NOT_FOUND, VALIDATION_FAILED, ACCOUNT_EXISTS. */
  async update(id: number, patch: AccountPatch, actor: string): Promise<AccountView> {
    const current = await this.row(id, false);
    const before = draftOfRow(current);
    const draft = draftFromPatch(before, patch);
    await this.checkQueue(draft);
    await this.checkProvider(draft);
    await this.checkDuplicate(draft, id);
    const data: Prisma.MailAccountUncheckedUpdateInput = { ...this.columns(draft), updatedBy: actor };
    if (draft.password !== undefined) data.passwordEnc = this.deps.secrets.seal(draft.password);
    // An OAuth2 account keeps no password; a grant belongs to the provider it was made with.
    if (draft.auth.method === 'oauth2') data.passwordEnc = '';
    const grantEnds = !sameGrant(before, draft);
    if (grantEnds) data.oauth2ReauthorizationRequired = false;
    // A legacy duplicate whose connection settings change is held to the one-account rule again.
    if (CONNECTION_FIELDS.some((f) => JSON.stringify(before[f]) !== JSON.stringify(draft[f])))
      data.legacyDuplicate = false;
    if (resumes(before, draft))
      Object.assign(data, {
        consecutiveFailures: 0,
        consecutiveAuthFailures: 0,
        parkedReason: null,
        backoffUntil: null,
        lastErrorClass: null,
        lastErrorMessage: null,
      });
    const row = await this.refusingDuplicates(draft, id, async (tx) => {
      if (grantEnds) await tx.oAuth2Token.deleteMany({ where: { accountId: id } });
      const updated = await tx.mailAccount.update({
        where: { id },
        data,
        include: VIEW_INCLUDE,
      });
      const changes = diffFields(auditable(before), auditable(draft), SECRET);
      if (Object.keys(changes).length > 0)
        await recordAudit(tx, { actor, action: 'update', entity: 'mail_account', entityId: id, changes });
      return updated;
    });
    await this.notify({ accountId: id, kind: 'updated' });
    return toAccountView(row);
  }

  /** Delete an account; its stored messages stay (OTOBO: nothing cascades). Throws ACCOUNT_NOT_FOUND. */
  async remove(id: number, actor: string): Promise<void> {
    const current = await this.row(id, false);
    await this.deps.prisma.$transaction(async (tx) => {
      await tx.mailAccount.delete({ where: { id } });
      await recordAudit(tx, {
        actor,
        action: 'delete',
        entity: 'mail_account',
        entityId: id,
        changes: diffFields(auditable(draftOfRow(current)), null, SECRET),
      });
    });
    await this.notify({ accountId: id, kind: 'deleted' });
  }

  private async row(id: number, withQueue: boolean) {
    const row = isRowId(id)
      ? await this.deps.prisma.mailAccount.findUnique({
          where: { id },
          include: withQueue ? VIEW_INCLUDE : undefined,
        })
      : null;
    if (!row) throw new MailductError('ACCOUNT_NOT_FOUND', `mail account ${id} does not exist`);
    return row;
  }

  private columns(d: AccountDraft) {
    return {
      type: d.type,
      host: d.host,
      port: d.port,
      username: d.username,
      imapFolder: d.imapFolder,
      imapFolders: d.imapFolders,
      afterFetch: d.afterFetch,
      moveToFolder: d.moveToFolder,
      initialImport: d.initialImport,
      importSince: d.importSince === null ? null : new Date(d.importSince),
      push: d.push,
      trusted: d.trusted,
      dispatchBy: d.dispatch.by,
      queueId: d.dispatch.by === 'queue' ? d.dispatch.queueId : null,
      validity: validityToRow(d.validity),
      comment: d.comment,
      tlsVerify: d.tlsVerify,
      pollIntervalSeconds: d.pollIntervalSeconds,
      authMethod: d.auth.method,
      oauth2ProviderId: d.auth.method === 'oauth2' ? d.auth.providerId : null,
      oauth2Delegate: d.auth.method === 'oauth2' && d.auth.delegate,
    } satisfies Prisma.MailAccountUncheckedUpdateInput;
  }

  private async checkQueue(d: AccountDraft): Promise<void> {
    if (d.dispatch.by !== 'queue') return;
    const queue = isRowId(d.dispatch.queueId)
      ? await this.deps.prisma.queue.findUnique({ where: { id: d.dispatch.queueId } })
      : null;
    if (!queue)
      throw validationError([{ field: 'dispatch.queueId', problem: `queue ${d.dispatch.queueId} does not exist` }]);
    if (!queue.valid)
      throw validationError([{ field: 'dispatch.queueId', problem: `queue "${queue.name}" is not valid` }]);
  }

  private async checkProvider(d: AccountDraft): Promise<void> {
    if (d.auth.method !== 'oauth2') return;
    const provider = await this.deps.prisma.oAuth2Provider.findUnique({
      where: { id: d.auth.providerId },
      select: { id: true },
    });
    if (!provider)
      throw validationError([
        { field: 'auth.providerId', problem: `OAuth2 provider ${d.auth.providerId} does not exist` },
      ]);
  }

  /**
   * Two accounts reading the same mailbox would race each other for every message (and make a
   * ticket of each message once per account). The unique mailbox_key refuses a second one even
   * when two requests arrive at once; the look-up before names the account that has it.
   */
  private async checkDuplicate(d: AccountDraft, selfId: number | null): Promise<void> {
    const notSelf = selfId === null ? {} : { id: { not: selfId } };
    const other = await this.deps.prisma.mailAccount.findFirst({
      where: { mailboxKey: mailboxKey(d), ...notSelf },
      select: { id: true },
    });
    if (other) throw duplicateOf(d, other.id);
    await this.checkFolderOverlap(d, notSelf, d.imapFolders);
  }

  /**
   * The unique mailbox key covers an account's first folder; a folder it reads beside it must not
   * be one another account of the same mailbox reads either (checked here, not by the database).
   */
  private async checkFolderOverlap(d: AccountDraft, notSelf: object, folders: string[]): Promise<void> {
    if (folders.length === 0) return;
    const base = mailboxKey({ ...d, imapFolder: '' });
    const others = await this.deps.prisma.mailAccount.findMany({
      where: { mailboxKey: { startsWith: base.slice(0, base.lastIndexOf('\n') + 1) }, ...notSelf },
      select: { id: true, type: true, host: true, port: true, username: true, imapFolder: true, imapFolders: true },
    });
    const mine = new Set(folders.map((f) => mailboxKey({ ...d, imapFolder: f })));
    for (const o of others) {
      const shared = foldersOfRow(o).find((f) => mine.has(mailboxKey({ ...o, imapFolder: f })));
      if (shared !== undefined) throw duplicateOf({ ...d, imapFolder: shared }, o.id);
    }
  }

  private async refusingDuplicates<T>(
    d: AccountDraft,
    selfId: number | null,
    write: (tx: Tx) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.deps.prisma.$transaction(write);
    } catch (err) {
      if ((err as { code?: string }).code !== 'P2002') throw err;
      await this.checkDuplicate(d, selfId);
      throw duplicateOf(d, null);
    }
  }

  private async notify(change: AccountChange): Promise<void> {
    this.deps.directory?.invalidate();
    await this.deps.onChange?.(change);
  }
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

function duplicateOf(d: AccountDraft, otherId: number | null): MailductError {
  const where = d.imapFolder ? ` folder ${d.imapFolder}` : '';
  const who = otherId === null ? 'another mail account' : `mail account ${otherId}`;
  return new MailductError('ACCOUNT_EXISTS', `${who} already reads ${d.username}@${d.host}${where}`, {
    details: otherId === null ? {} : { accountId: otherId },
  });
}

function auditable(d: AccountDraft): Record<string, unknown> {
  const { password, ...rest } = d;
  return password === undefined ? rest : { ...rest, password };
}

function resumes(before: AccountDraft, after: AccountDraft): boolean {
  if (after.validity === 'valid' && before.validity !== 'valid') return true;
  if (JSON.stringify(before.auth) !== JSON.stringify(after.auth)) return true;
  return (
    after.password !== undefined ||
    CONNECTION_FIELDS.some((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]))
  );
}

/** Whether an account's OAuth2 grant still applies: the same method and provider. */
function sameGrant(before: AccountDraft, after: AccountDraft): boolean {
  if (before.auth.method !== 'oauth2') return true;
  return after.auth.method === 'oauth2' && after.auth.providerId === before.auth.providerId;
}
