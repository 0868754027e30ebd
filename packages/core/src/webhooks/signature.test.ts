import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signWebhook } from './signature.js';

describe(signWebhook.name, () => {
  it('signs so that the Standard Webhooks reference verifier accepts the request', () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: 'ticket.dispatched', data: { messageId: 7, subject: 'Grüße' } });
    const now = Math.floor(Date.now() / 1000);
    const headers = signWebhook(secret, 'evt_0123', now, body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('is refused by the verifier for another body, id, timestamp or secret', () => {
    const secret = newWebhookSecret();
    const body = '{"a":1}';
    const now = Math.floor(Date.now() / 1000);
    const headers = signWebhook(secret, 'evt_1', now, body);
    const verifier = new Webhook(secret);
    expect(() => verifier.verify('{"a":2}', { ...headers })).toThrow();
    expect(() => verifier.verify(body, { ...headers, 'webhook-id': 'evt_2' })).toThrow();
    expect(() => verifier.verify(body, { ...headers, 'webhook-timestamp': String(now - 1) })).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, { ...headers })).toThrow();
  });

  it('makes a new 32-byte secret each time and refuses a secret without whsec_', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
    expect(() => signWebhook('plain', 'id', 0, '')).toThrow(/whsec_/);
  });
});
