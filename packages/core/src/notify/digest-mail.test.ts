import { describe, expect, it } from 'vitest';
import { digestMail, type NotifiedEvent } from './digest-mail.js';

const data = {
  accountId: 7,
  type: 'IMAPS',
  host: 'imap.example.com',
  username: 'desk@example.com',
  consecutiveFailures: 3,
  error: { class: 'network', code: 'MAIL_CONNECT_FAILED', message: 'connect ECONNREFUSED 10.0.0.1:993' },
  parkedReason: null,
};
const failed: NotifiedEvent = { type: 'account.failed', at: new Date('2026-12-03T10:00:00Z'), data };

describe(digestMail.name, () => {
  it('says how the account is now, each event with its time and error, and links the account page', () => {
    const recovered = {
      type: 'account.recovered',
      at: new Date('2026-12-03T10:20:00Z'),
      data: { ...data, consecutiveFailures: 0, error: null },
    };
    const mail = digestMail([failed, recovered], 'https://mailduct.example.com');
    expect(mail.subject).toBe(
      '[mailduct] desk@example.com on imap.example.com: recovered (2 events since the last mail)',
    );
    expect(mail.text).toBe(
      [
        'Mail account 7 (desk@example.com on imap.example.com) is recovered: fetching again.',
        '',
        '2026-12-03 10:00:00 UTC  failing: 3 runs in a row failed',
        '    network MAIL_CONNECT_FAILED: connect ECONNREFUSED 10.0.0.1:993',
        '2026-12-03 10:20:00 UTC  recovered: fetching again',
        '',
        'The account: https://mailduct.example.com/accounts/7',
        'At most one mail per account an hour; webhooks tell at once.',
        '',
      ].join('\n'),
    );
  });

  it('keeps server text on one line and short, and says where to look without a public URL', () => {
    const hostile = {
      ...failed,
      data: { ...data, error: { ...data.error, message: `no\r\nBcc: x@evil.example\r\n${'y'.repeat(900)}` } },
    };
    const mail = digestMail([hostile], undefined);
    expect(mail.subject).toBe('[mailduct] desk@example.com on imap.example.com: failing');
    const lines = mail.text.split('\n');
    expect(lines.find((l) => l.includes('Bcc'))).toMatch(
      /^ {4}network MAIL_CONNECT_FAILED: no Bcc: x@evil\.example y+$/,
    );
    expect(lines.every((l) => l.length <= 500)).toBe(true);
    expect(mail.text).toContain('GET /api/v1/mail-accounts/7 (set MAILDUCT_PUBLIC_URL for a link)');
  });
});
