import { describe, expect, it } from 'vitest';
import { isHostEntry, MailHostPolicy } from './host-policy.js';

describe('MailHostPolicy', () => {
  const none = new MailHostPolicy();

  it.each([
    ['127.0.0.1'],
    ['10.1.2.3'],
    ['172.20.0.1'],
    ['192.168.1.1'],
    ['169.254.169.254'],
    ['100.64.0.1'],
    ['0.0.0.0'],
    ['::1'],
    ['fd00:ec2::254'],
    ['fe80::1'],
    ['::ffff:10.0.0.1'],
    ['::ffff:127.0.0.1'],
  ])('refuses the internal address %s by default', (ip) => {
    const v = none.check('mail.example.com', ip);
    expect(v.allowed).toBe(false);
    expect(v.allowed === false && v.reason).toMatch(/MAILDUCT_ALLOWED_MAIL_HOSTS/);
  });

  it.each([['93.184.216.34'], ['2606:2800:220:1:248:1893:25c8:1946'], ['172.32.0.1'], ['11.0.0.1']])(
    'lets the public address %s through',
    (ip) => {
      expect(none.check('mail.example.com', ip)).toEqual({ allowed: true });
    },
  );

  it('allows internal hosts named by name, wildcard, address or range', () => {
    const p = new MailHostPolicy(['mail.internal', '*.corp.example', '10.20.0.0/16', '192.168.1.5']);
    expect(p.check('MAIL.internal.', '10.9.9.9').allowed).toBe(true);
    expect(p.check('imap.corp.example', '172.16.0.2').allowed).toBe(true);
    expect(p.check('corp.example', '172.16.0.2').allowed).toBe(false);
    expect(p.check('x.example', '10.20.3.4').allowed).toBe(true);
    expect(p.check('x.example', '10.21.3.4').allowed).toBe(false);
    expect(p.check('x.example', '192.168.1.5').allowed).toBe(true);
    expect(new MailHostPolicy(['*']).check('x', '127.0.0.1').allowed).toBe(true);
  });

  it('denies what the operator denies, even when public or allowed', () => {
    const p = new MailHostPolicy(['*'], ['203.0.113.0/24', 'bad.example']);
    expect(p.check('x', '203.0.113.7').allowed).toBe(false);
    expect(p.check('BAD.example', '93.184.216.34').allowed).toBe(false);
  });

  it('knows a valid entry', () => {
    for (const e of ['*', 'mail.example.com', '*.example.com', '10.0.0.0/8', '::1', 'fd00::/8', 'localhost'])
      expect(isHostEntry(e), e).toBe(true);
    for (const e of ['10.0.0.0/33', 'http://x', 'a b', '*.', '10.0.0.0/8/1', '::/129'])
      expect(isHostEntry(e), e).toBe(false);
  });
});
