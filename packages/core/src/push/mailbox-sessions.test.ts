import { describe, expect, it } from 'vitest';
import { DEFAULT_SESSIONS_PER_MAILBOX, planWatch, sessionsPerMailbox } from './mailbox-sessions.js';

describe(sessionsPerMailbox.name, () => {
  it('knows the providers by their domain and nothing that merely ends like one', () => {
    expect(sessionsPerMailbox('imap.gmail.com')).toBe(15);
    expect(sessionsPerMailbox('OUTLOOK.OFFICE365.COM.')).toBe(20);
    expect(sessionsPerMailbox('imap-mail.outlook.com')).toBe(20);
    expect(sessionsPerMailbox('notgmail.com')).toBe(DEFAULT_SESSIONS_PER_MAILBOX);
    expect(sessionsPerMailbox('mail.example.org')).toBe(DEFAULT_SESSIONS_PER_MAILBOX);
  });

  it('takes the operator setting over the table', () => {
    expect(sessionsPerMailbox('imap.gmail.com', 4)).toBe(4);
  });
});

describe(planWatch.name, () => {
  it('leaves one session to the fetch and polls the folders beyond the limit', () => {
    expect(planWatch(['INBOX', 'Support', 'Sales'], 3)).toEqual({ watched: ['INBOX', 'Support'], polled: ['Sales'] });
    expect(planWatch(['INBOX'], 10)).toEqual({ watched: ['INBOX'], polled: [] });
    expect(planWatch(['INBOX'], 1)).toEqual({ watched: [], polled: ['INBOX'] });
  });
});
