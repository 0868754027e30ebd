import { Type, type Static } from 'typebox';
import { DateTime, Nullable, NullableDateTime } from '../schema/index.js';
import { OAUTH2_GRANTS, OAUTH2_KINDS } from './provider-kinds.js';

/** Field limits (the column sizes of oauth2_provider). */
export const PROVIDER_LIMITS = { name: 200, tenant: 200, url: 1000, clientId: 500, clientSecret: 2000, scopes: 2000 };
const L = PROVIDER_LIMITS;

const text = (max: number, extra: Record<string, unknown> = {}) =>
  Type.String({ minLength: 1, maxLength: max, 'x-problem': `must be text of at most ${max} characters`, ...extra });
const optionalText = (max: number, description: string) =>
  Type.Optional(
    Nullable(Type.String({ maxLength: max }), {
      description,
      'x-problem': `must be text of at most ${max} characters`,
    }),
  );
const endpoint = (description: string) => optionalText(L.url, `${description} (https URL)`);

const EndpointsInput = Type.Object(
  {
    authorization: endpoint('authorization endpoint'),
    token: endpoint('token endpoint'),
    deviceAuthorization: endpoint('device authorization endpoint (RFC 8628)'),
    revocation: endpoint('revocation endpoint (RFC 7009)'),
  },
  { additionalProperties: false, 'x-problem': 'must be an object of endpoint URLs' },
);

const writable = {
  name: text(L.name),
  kind: Type.Enum([...OAUTH2_KINDS], {
    description: 'microsoft (Entra ID), google (Workspace), or generic (any OAuth 2.0 / OpenID provider)',
    'x-problem': `must be one of ${OAUTH2_KINDS.join(', ')}`,
  }),
  tenant: optionalText(
    L.tenant,
    'microsoft: the tenant id or domain, or organizations / common (default organizations)',
  ),
  issuerUrl: optionalText(L.url, 'generic: the issuer, for OpenID discovery of the endpoints not given'),
  endpoints: Type.Optional(EndpointsInput),
  clientId: text(L.clientId),
  clientSecret: Type.Optional(
    Nullable(Type.String({ minLength: 1, maxLength: L.clientSecret, writeOnly: true }), {
      description: 'stored encrypted, never returned; null for a public client',
      'x-problem': `must be text of at most ${L.clientSecret} characters, or null`,
    }),
  ),
  clientSecretExpiresAt: Type.Optional(
    Nullable(Type.String({ format: 'date-time' }), {
      description: 'when the client secret expires (Entra shows it); warned about 14 days ahead',
      'x-problem': 'must be a date-time such as 2027-06-30T00:00:00Z, or null',
    }),
  ),
  scopes: optionalText(L.scopes, "space-separated; default: the kind's scopes for the grant"),
  grant: Type.Enum([...OAUTH2_GRANTS], {
    description:
      'authorization_code (sign in through the browser, with PKCE), device_code (sign in on another device), client_credentials (app-only, no sign-in)',
    'x-problem': `must be one of ${OAUTH2_GRANTS.join(', ')}`,
  }),
};

/** `POST /api/v1/oauth2-providers`. */
export const ProviderCreateSchema = Type.Object(writable, { additionalProperties: false });

/** `PATCH /api/v1/oauth2-providers/:id`: any of the fields; an omitted client secret keeps the stored one. */
export const ProviderPatchSchema = Type.Object(
  {
    ...writable,
    name: Type.Optional(writable.name),
    kind: Type.Optional(writable.kind),
    clientId: Type.Optional(writable.clientId),
    grant: Type.Optional(writable.grant),
  },
  { additionalProperties: false, minProperties: 1, 'x-problem': 'must change at least one field' },
);

const EndpointsView = Type.Object({
  issuer: Nullable(Type.String()),
  authorization: Nullable(Type.String()),
  token: Nullable(Type.String()),
  deviceAuthorization: Nullable(Type.String()),
  revocation: Nullable(Type.String()),
  discovered: Type.Boolean({ description: 'the endpoints not given come from OpenID discovery of the issuer' }),
});

/** A provider as the API returns it: never the client secret, only `hasClientSecret`. */
export const ProviderViewSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  kind: writable.kind,
  tenant: Nullable(Type.String()),
  issuerUrl: Nullable(Type.String()),
  endpoints: EndpointsView,
  clientId: Type.String(),
  hasClientSecret: Type.Boolean(),
  clientSecretExpiresAt: NullableDateTime,
  scopes: Nullable(Type.String()),
  effectiveScopes: Type.String(),
  grant: writable.grant,
  accounts: Type.Integer({ description: 'mail accounts signing in with this provider' }),
  createdAt: DateTime,
  createdBy: Nullable(Type.String()),
  updatedAt: DateTime,
  updatedBy: Nullable(Type.String()),
});

export type ProviderCreateBody = Static<typeof ProviderCreateSchema>;
export type ProviderPatchBody = Static<typeof ProviderPatchSchema>;
export type ProviderView = Static<typeof ProviderViewSchema>;
