import { describe, expect, it } from 'vitest';
import { oauthMechanism, oauthResponse } from './sasl-oauth.js';

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('latin1');

describe('oauthResponse', () => {
  it('names the mailbox, not the token owner: XOAUTH2 user= carries a shared mailbox with a delegate token', () => {
    const r = oauthResponse('XOAUTH2', { user: 'shared@contoso.com', token: 'tok-of-delegate', host: 'h', port: 993 });
    expect(decode(r)).toBe('user=shared@contoso.com\x01auth=Bearer tok-of-delegate\x01\x01');
  });

  it('frames OAUTHBEARER per RFC 7628 with the GS2 authorization identity escaped', () => {
    const r = oauthResponse('OAUTHBEARER', { user: 'a,b=c@x', token: 't', host: 'imap.x', port: 143 });
    expect(decode(r)).toBe('n,a=a=2Cb=3Dc@x,\x01host=imap.x\x01port=143\x01auth=Bearer t\x01\x01');
  });

  it('refuses a token or user name that would break the framing', () => {
    expect(() => oauthResponse('XOAUTH2', { user: 'u', token: 'a\x01auth=Bearer b', host: 'h', port: 1 })).toThrow(
      /unprintable/,
    );
    expect(() => oauthResponse('XOAUTH2', { user: 'u\r\n', token: 't', host: 'h', port: 1 })).toThrow(/user name/);
  });
});

describe('oauthMechanism', () => {
  it('prefers the standard OAUTHBEARER, takes XOAUTH2, and says null when neither is offered', () => {
    expect(oauthMechanism(new Set(['PLAIN', 'XOAUTH2', 'OAUTHBEARER']))).toBe('OAUTHBEARER');
    expect(oauthMechanism(new Set(['XOAUTH2']))).toBe('XOAUTH2');
    expect(oauthMechanism(new Set(['PLAIN', 'LOGIN']))).toBeNull();
  });
});
