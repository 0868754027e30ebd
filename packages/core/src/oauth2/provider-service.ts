import { diffFields, recordAudit } from '../audit/index.js';
import type { SecretBox } from '../crypto/index.js';
import { isRowId, type OAuth2ProviderRow, type Prisma, type PrismaClient } from '../db/index.js';
import { MailductError } from '../errors/index.js';
import { endpointsOf, scopesOf, type OAuth2Grant } from './provider-kinds.js';
import {
  providerFromInput,
  providerFromPatch,
  type ProviderDraft,
  type ProviderRuleOptions,
} from './provider-rules.js';
import type { ProviderCreateBody, ProviderPatchBody, ProviderView } from './provider-schema.js';

const SECRET = new Set(['clientSecret']);

/** OAuth2 providers (OTOBO: token configurations): validation, the encrypted client secret, audit trail. */
export class ProviderService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly secrets: SecretBox,
    private readonly options: ProviderRuleOptions,
  ) {}

  /** Every provider in name order (a desk has a handful). */
  async list(): Promise<ProviderView[]> {
    const rows = await this.prisma.oAuth2Provider.findMany({
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      include: COUNT,
    });
    return rows.map(toProviderView);
  }

  /** One provider. Throws OAUTH2_PROVIDER_NOT_FOUND. */
  async get(id: number): Promise<ProviderView> {
    return toProviderView(await this.row(id));
  }

  /** A provider's grant type. Throws OAUTH2_PROVIDER_NOT_FOUND. */
  async grantOf(id: number): Promise<OAuth2Grant> {
    return (await this.row(id)).grantType;
  }

  /** Create a provider. Throws VALIDATION_FAILED, OAUTH2_PROVIDER_EXISTS. */
  async create(input: ProviderCreateBody, actor: string): Promise<ProviderView> {
    const draft = providerFromInput(input, this.options);
    await this.checkName(draft.name, null);
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await tx.oAuth2Provider.create({
        data: { ...this.columns(draft), createdBy: actor, updatedBy: actor },
        include: COUNT,
      });
      await recordAudit(tx, {
        actor,
        action: 'create',
        entity: 'oauth2_provider',
        entityId: created.id,
        changes: diffFields(null, auditable(draft), SECRET),
      });
      return created;
    });
    return toProviderView(row);
  }

  /** Change a provider; an omitted client secret keeps the stored one. Throws OAUTH2_PROVIDER_NOT_FOUND, VALIDATION_FAILED, OAUTH2_PROVIDER_EXISTS. */
  async update(id: number, patch: ProviderPatchBody, actor: string): Promise<ProviderView> {
    const current = await this.row(id);
    const before = draftOfRow(current);
    const draft = providerFromPatch(before, patch, this.options);
    if (draft.name !== before.name) await this.checkName(draft.name, id);
    const row = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.oAuth2Provider.update({
        where: { id },
        data: { ...this.columns(draft), updatedBy: actor },
        include: COUNT,
      });
      const changes = diffFields(auditable(before), auditable(draft), SECRET);
      if (Object.keys(changes).length > 0)
        await recordAudit(tx, { actor, action: 'update', entity: 'oauth2_provider', entityId: id, changes });
      return updated;
    });
    return toProviderView(row);
  }

  /** Delete a provider no account uses. Throws OAUTH2_PROVIDER_NOT_FOUND, OAUTH2_PROVIDER_IN_USE naming the accounts. */
  async remove(id: number, actor: string): Promise<void> {
    const current = await this.row(id);
    const users = await this.prisma.mailAccount.findMany({
      where: { oauth2ProviderId: id },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: 20,
    });
    if (users.length > 0)
      throw inUse(
        current,
        users.map((u) => u.id),
      );
    try {
      await this.prisma.$transaction(async (tx) => {
        await tx.oAuth2Provider.delete({ where: { id } });
        await recordAudit(tx, {
          actor,
          action: 'delete',
          entity: 'oauth2_provider',
          entityId: id,
          changes: diffFields({ name: current.name }, null),
        });
      });
    } catch (err) {
      // An account that started using it since the look-up: the foreign key refuses.
      if ((err as { code?: string }).code === 'P2003') throw inUse(current, []);
      throw err;
    }
  }

  private columns(d: ProviderDraft) {
    const data: Prisma.OAuth2ProviderUncheckedUpdateInput = {
      name: d.name,
      kind: d.kind,
      tenant: d.tenant,
      issuerUrl: d.issuerUrl,
      authorizationEndpoint: d.endpoints.authorization ?? null,
      tokenEndpoint: d.endpoints.token ?? null,
      deviceAuthorizationEndpoint: d.endpoints.deviceAuthorization ?? null,
      revocationEndpoint: d.endpoints.revocation ?? null,
      clientId: d.clientId,
      clientSecretExpiresAt: d.clientSecretExpiresAt,
      scopes: d.scopes,
      grantType: d.grant,
    };
    if (d.clientSecret !== undefined)
      data.clientSecretEnc = d.clientSecret === null ? null : this.secrets.seal(d.clientSecret);
    return data as Prisma.OAuth2ProviderUncheckedCreateInput;
  }

  private async checkName(name: string, selfId: number | null): Promise<void> {
    const other = await this.prisma.oAuth2Provider.findFirst({
      where: { name: { equals: name, mode: 'insensitive' }, ...(selfId ? { id: { not: selfId } } : {}) },
      select: { id: true, name: true },
    });
    if (other)
      throw new MailductError(
        'OAUTH2_PROVIDER_EXISTS',
        `an OAuth2 provider named "${other.name}" already exists (id ${other.id})`,
        { details: { providerId: other.id } },
      );
  }

  private async row(id: number) {
    const row = isRowId(id) ? await this.prisma.oAuth2Provider.findUnique({ where: { id }, include: COUNT }) : null;
    if (!row) throw new MailductError('OAUTH2_PROVIDER_NOT_FOUND', `OAuth2 provider ${id} does not exist`);
    return row;
  }
}

const COUNT = { _count: { select: { accounts: true } } } as const;

function inUse(p: OAuth2ProviderRow, accountIds: number[]): MailductError {
  const who = accountIds.length > 0 ? `mail accounts ${accountIds.join(', ')}` : 'a mail account';
  return new MailductError('OAUTH2_PROVIDER_IN_USE', `OAuth2 provider "${p.name}" is in use by ${who}`, {
    details: { accountIds },
  });
}

/** The stored provider as the rules see it (no client secret: undefined keeps it). */
export function draftOfRow(row: OAuth2ProviderRow): ProviderDraft {
  return {
    name: row.name,
    kind: row.kind,
    grant: row.grantType,
    tenant: row.tenant,
    issuerUrl: row.issuerUrl,
    endpoints: {
      ...(row.authorizationEndpoint ? { authorization: row.authorizationEndpoint } : {}),
      ...(row.tokenEndpoint ? { token: row.tokenEndpoint } : {}),
      ...(row.deviceAuthorizationEndpoint ? { deviceAuthorization: row.deviceAuthorizationEndpoint } : {}),
      ...(row.revocationEndpoint ? { revocation: row.revocationEndpoint } : {}),
    },
    clientId: row.clientId,
    clientSecret: undefined,
    clientSecretExpiresAt: row.clientSecretExpiresAt,
    scopes: row.scopes,
  };
}

/** The API view of a stored provider. */
export function toProviderView(row: OAuth2ProviderRow & { _count?: { accounts: number } }): ProviderView {
  const draft = draftOfRow(row);
  const e = endpointsOf(draft);
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    tenant: row.tenant,
    issuerUrl: row.issuerUrl,
    endpoints: {
      issuer: e.issuer ?? null,
      authorization: e.authorization ?? null,
      token: e.token ?? null,
      deviceAuthorization: e.deviceAuthorization ?? null,
      revocation: e.revocation ?? null,
      discovered: e.discover,
    },
    clientId: row.clientId,
    hasClientSecret: row.clientSecretEnc !== null,
    clientSecretExpiresAt: row.clientSecretExpiresAt?.toISOString() ?? null,
    scopes: row.scopes,
    effectiveScopes: scopesOf(draft),
    grant: row.grantType,
    accounts: row._count?.accounts ?? 0,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
  };
}

function auditable(d: ProviderDraft): Record<string, unknown> {
  const { clientSecret, clientSecretExpiresAt, ...rest } = d;
  return {
    ...rest,
    clientSecretExpiresAt: clientSecretExpiresAt?.toISOString() ?? null,
    ...(clientSecret === undefined ? {} : { clientSecret }),
  };
}
