/** The kinds of OAuth2 provider: two with known endpoints, and any other by its issuer or endpoints. */
export const OAUTH2_KINDS = ['microsoft', 'google', 'generic'] as const;
export type OAuth2Kind = (typeof OAUTH2_KINDS)[number];

/**
 * How a mail account gets its token: an administrator signs in once through the provider's pages
 * (authorization code with PKCE), or on another device with a code (RFC 8628), or no one does
 * (client credentials: Microsoft's app-only access).
 */
export const OAUTH2_GRANTS = ['authorization_code', 'device_code', 'client_credentials'] as const;
export type OAuth2Grant = (typeof OAUTH2_GRANTS)[number];

/** Where a provider's endpoints are. An absent one is not offered (Microsoft has no revocation). */
export interface OAuth2Endpoints {
  issuer?: string;
  authorization?: string;
  token?: string;
  deviceAuthorization?: string;
  revocation?: string;
}

/** What the kind and grant need to be known: the provider's fields that matter here. */
export interface ProviderShape {
  kind: OAuth2Kind;
  grant: OAuth2Grant;
  tenant: string | null;
  issuerUrl: string | null;
  endpoints: Omit<OAuth2Endpoints, 'issuer'>;
  scopes: string | null;
}

const MICROSOFT_DELEGATED =
  'https://outlook.office365.com/IMAP.AccessAsUser.All https://outlook.office365.com/POP.AccessAsUser.All offline_access';
const MICROSOFT_APP_ONLY = 'https://outlook.office365.com/.default';
const GOOGLE = 'https://mail.google.com/';

/** The scopes a provider asks for: its own, or its kind's default for its grant. */
export function scopesOf(p: Pick<ProviderShape, 'kind' | 'grant' | 'scopes'>): string {
  if (p.scopes && p.scopes.trim() !== '') return p.scopes.trim().split(/\s+/).join(' ');
  if (p.kind === 'microsoft') return p.grant === 'client_credentials' ? MICROSOFT_APP_ONLY : MICROSOFT_DELEGATED;
  if (p.kind === 'google') return GOOGLE;
  return p.grant === 'client_credentials' ? '' : 'openid offline_access';
}

/**
 * The endpoints of a provider. Microsoft's and Google's are known (no discovery round trip);
 * a generic provider names its own, and those it leaves out come from OpenID discovery of its
 * issuer (`discover`), if it has one.
 */
export function endpointsOf(p: ProviderShape): OAuth2Endpoints & { discover: boolean } {
  if (p.kind === 'microsoft') {
    const base = `https://login.microsoftonline.com/${encodeURIComponent(p.tenant ?? 'organizations')}`;
    return {
      issuer: `${base}/v2.0`,
      authorization: `${base}/oauth2/v2.0/authorize`,
      token: `${base}/oauth2/v2.0/token`,
      deviceAuthorization: `${base}/oauth2/v2.0/devicecode`,
      discover: false,
    };
  }
  if (p.kind === 'google')
    return {
      issuer: 'https://accounts.google.com',
      authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
      token: 'https://oauth2.googleapis.com/token',
      deviceAuthorization: 'https://oauth2.googleapis.com/device/code',
      revocation: 'https://oauth2.googleapis.com/revoke',
      discover: false,
    };
  const own = definedOnly(p.endpoints);
  const needed = endpointNeeded(p.grant);
  return {
    ...(p.issuerUrl ? { issuer: p.issuerUrl } : {}),
    ...own,
    discover: p.issuerUrl !== null && (own[needed] === undefined || own.token === undefined),
  };
}

/** The endpoint a grant cannot do without, beside the token endpoint. */
export function endpointNeeded(grant: OAuth2Grant): 'authorization' | 'deviceAuthorization' | 'token' {
  return grant === 'authorization_code' ? 'authorization' : grant === 'device_code' ? 'deviceAuthorization' : 'token';
}

/** Whether the grant involves a person signing in (and so a refresh token to keep). */
export function isInteractive(grant: OAuth2Grant): boolean {
  return grant !== 'client_credentials';
}

function definedOnly(e: Omit<OAuth2Endpoints, 'issuer'>): Omit<OAuth2Endpoints, 'issuer'> {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => typeof v === 'string' && v !== ''));
}
