import { describe, expect, it } from 'vitest';
import { endpointsOf, scopesOf } from './provider-kinds.js';
import { providerFromInput, providerFromPatch } from './provider-rules.js';

const strict = { allowHttp: false };
const problemsOf = (fn: () => unknown) => {
  try {
    fn();
    return [];
  } catch (err) {
    return (err as { details: { field: string; problem: string }[] }).details;
  }
};

describe('provider kinds', () => {
  it("knows Microsoft's endpoints per tenant and discovers a generic issuer only for what is missing", () => {
    const ms = providerFromInput({ name: 'M', kind: 'microsoft', clientId: 'c', grant: 'device_code' }, strict);
    expect(ms.tenant).toBe('organizations');
    expect(endpointsOf(ms)).toMatchObject({
      token: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/token',
      deviceAuthorization: 'https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode',
    });
    const own = providerFromInput(
      {
        name: 'G',
        kind: 'generic',
        issuerUrl: 'https://idp.example.com',
        endpoints: { token: 'https://idp.example.com/t', authorization: 'https://idp.example.com/a' },
        clientId: 'c',
        grant: 'authorization_code',
      },
      strict,
    );
    expect(endpointsOf(own).discover).toBe(false);
    expect(endpointsOf({ ...own, grant: 'device_code' }).discover).toBe(true);
  });

  it('uses the default scopes of the kind and grant unless the provider names its own', () => {
    expect(scopesOf({ kind: 'microsoft', grant: 'client_credentials', scopes: null })).toBe(
      'https://outlook.office365.com/.default',
    );
    expect(scopesOf({ kind: 'google', grant: 'authorization_code', scopes: '  ' })).toBe('https://mail.google.com/');
    expect(scopesOf({ kind: 'google', grant: 'authorization_code', scopes: ' a  b ' })).toBe('a b');
  });
});

describe('provider rules', () => {
  it('refuses URLs with credentials, fragments or plain http unless allowed', () => {
    const base = {
      name: 'X',
      kind: 'generic' as const,
      clientId: 'c',
      grant: 'client_credentials' as const,
      clientSecret: 's',
    };
    expect(
      problemsOf(() => providerFromInput({ ...base, endpoints: { token: 'https://u:p@x.example/t' } }, strict)),
    ).toEqual([{ field: 'endpoints.token', problem: 'must not contain a user name or password' }]);
    expect(
      problemsOf(() => providerFromInput({ ...base, endpoints: { token: 'https://x.example/t#f' } }, strict)),
    ).toEqual([{ field: 'endpoints.token', problem: 'must not contain a fragment (#…)' }]);
    expect(
      problemsOf(() => providerFromInput({ ...base, endpoints: { token: 'http://x.example/t' } }, { allowHttp: true })),
    ).toEqual([]);
    expect(
      problemsOf(() => providerFromInput({ ...base, endpoints: { token: 'not a url' } }, strict))[0]?.problem,
    ).toMatch(/absolute URL/);
  });

  it('keeps the stored client secret on a PATCH without one, and removes it with null', () => {
    const stored = providerFromInput(
      { name: 'M', kind: 'google', clientId: 'c', clientSecret: 's', grant: 'authorization_code' },
      strict,
    );
    expect(
      providerFromPatch({ ...stored, clientSecret: undefined }, { scopes: 'x' }, strict).clientSecret,
    ).toBeUndefined();
    expect(
      providerFromPatch({ ...stored, clientSecret: undefined }, { clientSecret: null }, strict).clientSecret,
    ).toBeNull();
    expect(
      problemsOf(() => providerFromPatch({ ...stored, clientSecret: undefined }, { name: null } as never, strict)),
    ).toContainEqual({
      field: 'name',
      problem: 'must not be null',
    });
  });
});
