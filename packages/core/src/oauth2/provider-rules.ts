import { validationError, type FieldProblem } from '../errors/index.js';
import { CONTROL_CHARACTER } from '../text/index.js';
import { schemaProblems } from '../schema/index.js';
import { endpointNeeded, type OAuth2Grant, type OAuth2Kind, type ProviderShape } from './provider-kinds.js';
import {
  ProviderCreateSchema,
  ProviderPatchSchema,
  type ProviderCreateBody,
  type ProviderPatchBody,
} from './provider-schema.js';

/** What the operator allows: plain-http endpoints only with MAILDUCT_OAUTH2_ALLOW_HTTP (a test or lab provider). */
export interface ProviderRuleOptions {
  allowHttp: boolean;
}

/** A complete, normalised provider as it will be stored (client secret in plain text here, undefined: keep). */
export interface ProviderDraft extends ProviderShape {
  name: string;
  clientId: string;
  clientSecret: string | null | undefined;
  clientSecretExpiresAt: Date | null;
}

type Endpoints = ProviderShape['endpoints'];
const ENDPOINT_FIELDS = ['authorization', 'token', 'deviceAuthorization', 'revocation'] as const;
const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,199}$/;

/** Check and normalise a new provider. Throws VALIDATION_FAILED naming each bad field. */
export function providerFromInput(input: ProviderCreateBody, options: ProviderRuleOptions): ProviderDraft {
  const problems = schemaProblems(ProviderCreateSchema, input);
  const draft = normalize({
    name: input.name,
    kind: input.kind,
    grant: input.grant,
    tenant: input.tenant ?? null,
    issuerUrl: input.issuerUrl ?? null,
    endpoints: (input.endpoints ?? {}) as Endpoints,
    clientId: input.clientId,
    clientSecret: input.clientSecret ?? null,
    clientSecretExpiresAt: dateOf(input.clientSecretExpiresAt),
    scopes: input.scopes ?? null,
  });
  check(draft, problems, options);
  return draft;
}

/** Apply a PATCH to a stored provider; an omitted client secret keeps the stored one. Throws VALIDATION_FAILED. */
export function providerFromPatch(
  current: ProviderDraft,
  patch: ProviderPatchBody,
  options: ProviderRuleOptions,
): ProviderDraft {
  const problems = schemaProblems(ProviderPatchSchema, patch);
  for (const field of ['name', 'kind', 'clientId', 'grant'] as const)
    if (field in patch && patch[field] === null) problems.unshift({ field, problem: 'must not be null' });
  const merged: ProviderDraft = {
    ...current,
    ...Object.fromEntries(Object.entries(patch).filter(([k, v]) => v !== undefined && k !== 'endpoints')),
    endpoints: patch.endpoints === undefined ? current.endpoints : ((patch.endpoints ?? {}) as Endpoints),
    clientSecret: patch.clientSecret,
    clientSecretExpiresAt:
      patch.clientSecretExpiresAt === undefined ? current.clientSecretExpiresAt : dateOf(patch.clientSecretExpiresAt),
  };
  const draft = normalize(merged);
  check(draft, problems, options);
  return draft;
}

function normalize(d: ProviderDraft): ProviderDraft {
  const trim = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  const endpoints: Endpoints = {};
  for (const f of ENDPOINT_FIELDS) {
    const v = trim((d.endpoints as Record<string, unknown> | null)?.[f]);
    if (v !== null) endpoints[f] = v;
  }
  return {
    ...d,
    name: typeof d.name === 'string' ? d.name.trim() : d.name,
    clientId: typeof d.clientId === 'string' ? d.clientId.trim() : d.clientId,
    tenant: d.kind === 'microsoft' ? (trim(d.tenant) ?? 'organizations') : trim(d.tenant),
    issuerUrl: trim(d.issuerUrl),
    endpoints,
    scopes: trim(d.scopes),
  };
}

/**
 * What the schema cannot say: which fields a kind takes, the URLs' form, and that the grant has
 * the endpoints it needs. The first problem of a field wins.
 */
function check(d: ProviderDraft, problems: FieldProblem[], options: ProviderRuleOptions): void {
  const seen = new Set(problems.map((p) => p.field.split('.')[0]!));
  const add = (field: string, problem: string) => {
    if (!seen.has(field.split('.')[0]!)) problems.push({ field, problem });
    seen.add(field.split('.')[0]!);
  };
  for (const f of ['name', 'clientId', 'scopes', 'clientSecret'] as const) {
    const v = d[f];
    if (typeof v === 'string' && CONTROL_CHARACTER.test(v)) add(f, 'must not contain control characters');
  }
  if (typeof d.name === 'string' && d.name === '') add('name', 'must not be empty');
  if (typeof d.clientId === 'string' && d.clientId === '') add('clientId', 'must not be empty');
  if (d.issuerUrl !== null) checkUrl('issuerUrl', d.issuerUrl, options, add);
  for (const f of ENDPOINT_FIELDS) {
    const v = d.endpoints[f];
    if (v !== undefined) checkUrl(`endpoints.${f}`, v, options, add);
  }
  checkKind(d, add);
  if (d.grant === 'client_credentials' && d.clientSecret === null)
    add('clientSecret', 'is required for the client_credentials grant (a confidential client)');
  if (problems.length > 0) throw validationError(problems);
}

function checkKind(d: ProviderDraft, add: (field: string, problem: string) => void): void {
  const kind: OAuth2Kind = d.kind;
  if (kind === 'microsoft' && d.tenant !== null && !TENANT.test(d.tenant))
    add('tenant', 'must be a tenant id (GUID), a domain, organizations or common');
  if (kind !== 'microsoft' && d.tenant !== null) add('tenant', 'is only for microsoft providers');
  if (kind !== 'generic') {
    if (d.issuerUrl !== null) add('issuerUrl', `is only for generic providers: ${kind}'s endpoints are known`);
    if (Object.keys(d.endpoints).length > 0)
      add('endpoints', `are only for generic providers: ${kind}'s endpoints are known`);
    return;
  }
  if (d.issuerUrl !== null) return;
  if (d.endpoints.token === undefined)
    add('endpoints.token', 'is required without an issuerUrl (or give the issuerUrl for OpenID discovery)');
  const needed = endpointNeeded(d.grant as OAuth2Grant);
  if (needed !== 'token' && d.endpoints[needed] === undefined)
    add(`endpoints.${needed}`, `is required for the ${d.grant} grant without an issuerUrl`);
}

function checkUrl(
  field: string,
  value: string,
  options: ProviderRuleOptions,
  add: (field: string, problem: string) => void,
): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return add(field, 'must be an absolute URL such as https://login.example.com/oauth2/token');
  }
  const schemes = options.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol))
    return add(
      field,
      options.allowHttp
        ? 'must be an https or http URL'
        : 'must be an https URL (http only with MAILDUCT_OAUTH2_ALLOW_HTTP)',
    );
  if (url.username !== '' || url.password !== '') return add(field, 'must not contain a user name or password');
  if (url.hash !== '') add(field, 'must not contain a fragment (#…)');
}

function dateOf(v: string | null | undefined): Date | null {
  if (v === null || v === undefined) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}
