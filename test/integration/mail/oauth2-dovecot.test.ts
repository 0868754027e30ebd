import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { startOAuth2Server, type OAuth2Server } from '../../helpers/oauth2-server.js';

// The test world for OAuth2 mailboxes: Dovecot taking bearer tokens (XOAUTH2, OAUTHBEARER) that a
// real authorization server (oidc-provider) issued, checked by introspection on every login.
let as: OAuth2Server;
let dc: Dovecot;

beforeAll(async () => {
  as = await startOAuth2Server(['user1', 'user2']);
  dc = await startDovecot({
    users: 2,
    noTls: true,
    oauth2: {
      introspectionUrl: as.introspectionUrl,
      clientId: as.dovecot.clientId,
      clientSecret: as.dovecot.clientSecret,
      scope: 'mail',
    },
  });
}, 60_000);
afterAll(async () => {
  await dc?.stop();
  await as?.close();
});

/** Log in with imapflow, which sends the token with OAUTHBEARER or XOAUTH2. */
async function login(auth: { user: string; pass?: string; accessToken?: string }): Promise<'ok' | string> {
  const client = new ImapFlow({ host: dc.host, port: dc.imapPort, secure: false, auth, logger: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.logout();
    return 'ok';
  } catch (err) {
    return (err as { authenticationFailed?: boolean }).authenticationFailed ? 'refused' : String(err);
  }
}

describe('Dovecot with bearer tokens from a real authorization server', () => {
  it('takes a token issued for the mailbox, and passwords still work', async () => {
    expect(await login({ user: 'user1', accessToken: await as.tokenFor('user1') })).toBe('ok');
    expect(await login({ user: 'user1', pass: dc.password })).toBe('ok');
  });

  it('refuses a token of another mailbox, a made-up token and a revoked one', async () => {
    expect(await login({ user: 'user1', accessToken: await as.tokenFor('user2') })).toBe('refused');
    expect(await login({ user: 'user1', accessToken: 'not-a-token' })).toBe('refused');
    const token = await as.tokenFor('user2');
    expect(await login({ user: 'user2', accessToken: token })).toBe('ok');
    await as.revoke('user2', token);
    expect(await login({ user: 'user2', accessToken: token })).toBe('refused');
  });

  it('does not take a password as a bearer token', async () => {
    expect(await login({ user: 'user1', accessToken: dc.password })).toBe('refused');
  });
});
