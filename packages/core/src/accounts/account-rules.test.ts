import { describe, expect, it } from 'vitest';
import { isMailductError } from '../errors/index.js';
import { draftFromInput, draftFromPatch } from './account-rules.js';
import type { AccountInput } from './account-types.js';

const defaults = { pollIntervalSeconds: 600 };
const base: AccountInput = { type: 'IMAP', host: 'mail.example.com', username: 'support', password: 'secret' };

function problemsOf(fn: () => unknown): { field: string; problem: string }[] {
  try {
    fn();
  } catch (err) {
    if (isMailductError(err, 'VALIDATION_FAILED')) return err.details as { field: string; problem: string }[];
    throw err;
  }
  throw new Error('expected a validation error');
}

describe(draftFromInput.name, () => {
  it('applies the OTOBO defaults', () => {
    const d = draftFromInput(base, defaults);
    expect(d).toMatchObject({
      imapFolder: 'INBOX',
      trusted: false,
      dispatch: { by: 'to' },
      validity: 'valid',
      tlsVerify: true,
      pollIntervalSeconds: 600,
      port: null,
      comment: null,
    });
  });

  it('keeps an IMAP folder for IMAP types', () => {
    expect(draftFromInput({ ...base, type: 'IMAPS', imapFolder: 'Support/Inbound' }, defaults).imapFolder).toBe(
      'Support/Inbound',
    );
  });

  it('stores no folder for POP3 types, even when one is given (OTOBO MailAccount.t)', () => {
    for (const type of ['POP3', 'POP3S', 'POP3TLS'] as const) {
      expect(draftFromInput({ ...base, type, imapFolder: 'Foo' }, defaults).imapFolder).toBeNull();
    }
  });

  it('treats an empty IMAP folder as INBOX', () => {
    expect(draftFromInput({ ...base, imapFolder: '  ' }, defaults).imapFolder).toBe('INBOX');
  });

  it('names every missing required field', () => {
    const fields = problemsOf(() => draftFromInput({} as AccountInput, defaults)).map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['type', 'host', 'username', 'password']));
  });

  it.each([
    ['username', 'u'.repeat(201)],
    ['password', 'p'.repeat(201)],
    ['host', `${'h'.repeat(63)}.`.repeat(4)],
    ['imapFolder', 'f'.repeat(251)],
    ['comment', 'c'.repeat(251)],
  ])('rejects an over-long %s', (field, value) => {
    expect(problemsOf(() => draftFromInput({ ...base, [field]: value }, defaults))).toContainEqual({
      field,
      problem: expect.stringMatching(/at most/),
    });
  });

  it('accepts values at the limits', () => {
    const d = draftFromInput(
      {
        ...base,
        username: 'u'.repeat(200),
        password: 'p'.repeat(200),
        comment: 'c'.repeat(250),
        imapFolder: 'f'.repeat(250),
      },
      defaults,
    );
    expect(d.username).toHaveLength(200);
  });

  it('rejects an unknown type', () => {
    expect(problemsOf(() => draftFromInput({ ...base, type: 'SMTP' as never }, defaults))[0]?.field).toBe('type');
  });

  it.each([
    'imaps://mail.example.com',
    'mail.example.com:993',
    'mail example.com',
    'mail.example.com/path',
    'user@mail.example.com',
    '',
  ])('rejects host %j', (host) => {
    expect(problemsOf(() => draftFromInput({ ...base, host }, defaults))[0]?.field).toBe('host');
  });

  it.each(['mail.example.com', 'localhost', '10.0.0.5', '::1', 'MAIL.Example.COM.'])('accepts host %j', (host) => {
    expect(draftFromInput({ ...base, host }, defaults).host).toBe(host);
  });

  it('rejects credentials with CR/LF, which would inject protocol commands', () => {
    expect(problemsOf(() => draftFromInput({ ...base, username: 'a\r\nDELE 1' }, defaults))[0]?.field).toBe('username');
    expect(problemsOf(() => draftFromInput({ ...base, password: 'x\nQUIT' }, defaults))[0]?.field).toBe('password');
  });

  it('refuses NUL and other control characters in a comment, but allows line breaks', () => {
    expect(problemsOf(() => draftFromInput({ ...base, comment: 'a\u0000b' }, defaults))[0]?.field).toBe('comment');
    expect(draftFromInput({ ...base, comment: 'line 1\nline 2' }, defaults).comment).toBe('line 1\nline 2');
  });

  it('requires a queue id when dispatching by queue', () => {
    expect(problemsOf(() => draftFromInput({ ...base, dispatch: { by: 'queue' } as never }, defaults))).toContainEqual({
      field: 'dispatch.queueId',
      problem: expect.stringMatching(/required/),
    });
  });

  it('refuses a queue id when dispatching by To:', () => {
    expect(
      problemsOf(() => draftFromInput({ ...base, dispatch: { by: 'to', queueId: 2 } as never }, defaults))[0]?.field,
    ).toBe('dispatch.queueId');
  });

  it.each([0, 65536, 1.5])('rejects port %d', (port) => {
    expect(problemsOf(() => draftFromInput({ ...base, port }, defaults))[0]?.field).toBe('port');
  });

  it.each([29, 7 * 24 * 3600 + 1])('rejects a poll interval of %d seconds', (pollIntervalSeconds) => {
    expect(problemsOf(() => draftFromInput({ ...base, pollIntervalSeconds }, defaults))[0]?.field).toBe(
      'pollIntervalSeconds',
    );
  });

  it('rejects an unknown validity', () => {
    expect(problemsOf(() => draftFromInput({ ...base, validity: 'paused' as never }, defaults))[0]?.field).toBe(
      'validity',
    );
  });
});

describe(draftFromPatch.name, () => {
  const stored = { ...draftFromInput({ ...base, imapFolder: 'Foo' }, defaults), password: undefined };

  it('keeps the stored password when none is given', () => {
    expect(draftFromPatch(stored, { comment: 'x' }).password).toBeUndefined();
  });

  it('keeps the folder when the patch does not touch it', () => {
    expect(draftFromPatch(stored, { comment: 'x' }).imapFolder).toBe('Foo');
  });

  it('resets the folder to INBOX when it is cleared', () => {
    expect(draftFromPatch(stored, { imapFolder: null }).imapFolder).toBe('INBOX');
  });

  it('drops the folder when switching to POP3 and restores INBOX when switching back (OTOBO MailAccount.t)', () => {
    const pop = draftFromPatch(stored, { type: 'POP3' });
    expect(pop.imapFolder).toBeNull();
    expect(draftFromPatch({ ...pop, password: undefined }, { type: 'IMAP' }).imapFolder).toBe('INBOX');
  });

  it('refuses to null a required field', () => {
    expect(problemsOf(() => draftFromPatch(stored, { host: null as never }))[0]).toEqual({
      field: 'host',
      problem: 'must not be null',
    });
    // Once: not again in the schema's words.
    expect(
      problemsOf(() => draftFromPatch(stored, { host: null as never })).filter((p) => p.field === 'host'),
    ).toHaveLength(1);
  });

  it('refuses an empty new password', () => {
    expect(problemsOf(() => draftFromPatch(stored, { password: '' }))[0]?.field).toBe('password');
  });
});
