import { describe, expect, it } from 'vitest';
import { isMailductError } from '../errors/index.js';
import { draftFromInput, draftFromPatch } from './account-rules.js';
import type { AccountInput } from './account-types.js';

const defaults = { pollIntervalSeconds: 600 };
const imap: AccountInput = { type: 'IMAP', host: 'mail.example.com', username: 'support', password: 'secret' };
const pop3: AccountInput = { ...imap, type: 'POP3' };

function problemsOf(fn: () => unknown): { field: string; problem: string }[] {
  try {
    fn();
  } catch (err) {
    if (isMailductError(err, 'VALIDATION_FAILED')) return err.details as { field: string; problem: string }[];
    throw err;
  }
  throw new Error('expected a validation error');
}

describe('folders', () => {
  it("keeps OTOBO's default: delete, INBOX, all mail", () => {
    expect(draftFromInput(imap, defaults)).toMatchObject({
      imapFolder: 'INBOX',
      imapFolders: ['INBOX'],
      afterFetch: 'delete',
      moveToFolder: null,
      initialImport: 'all',
      importSince: null,
    });
    expect(draftFromInput(pop3, defaults)).toMatchObject({ imapFolder: null, imapFolders: [] });
  });

  it('reads several folders in order, each once, the first being imapFolder', () => {
    const d = draftFromInput({ ...imap, imapFolders: [' inbox ', 'Support/DE', 'INBOX', 'Support/DE'] }, defaults);
    expect(d).toMatchObject({ imapFolder: 'INBOX', imapFolders: ['INBOX', 'Support/DE'] });
  });

  it('takes imapFolder as a list of one, and not together with imapFolders', () => {
    expect(draftFromInput({ ...imap, imapFolder: 'Support' }, defaults).imapFolders).toEqual(['Support']);
    expect(problemsOf(() => draftFromInput({ ...imap, imapFolder: 'A', imapFolders: ['B'] }, defaults))).toContainEqual(
      {
        field: 'imapFolder',
        problem: 'give imapFolder or imapFolders, not both',
      },
    );
    const stored = { ...draftFromInput({ ...imap, imapFolders: ['A', 'B'] }, defaults), password: undefined };
    expect(draftFromPatch(stored, { imapFolder: 'C' }).imapFolders).toEqual(['C']);
    expect(draftFromPatch(stored, { comment: 'x' }).imapFolders).toEqual(['A', 'B']);
  });

  it('names a folder with a control character by its place in the list', () => {
    expect(problemsOf(() => draftFromInput({ ...imap, imapFolders: ['INBOX', 'a\rb'] }, defaults))).toEqual([
      { field: 'imapFolders.1', problem: 'must not contain control characters' },
    ]);
  });
});

describe('afterFetch', () => {
  it('moveTo needs a folder that is not one the account reads', () => {
    expect(problemsOf(() => draftFromInput({ ...imap, afterFetch: 'moveTo' }, defaults))).toEqual([
      { field: 'moveToFolder', problem: 'is required when afterFetch is "moveTo"' },
    ]);
    expect(
      problemsOf(() => draftFromInput({ ...imap, afterFetch: 'moveTo', moveToFolder: 'inbox' }, defaults))[0]!.field,
    ).toBe('moveToFolder');
    expect(draftFromInput({ ...imap, afterFetch: 'moveTo', moveToFolder: 'Done' }, defaults).moveToFolder).toBe('Done');
    expect(problemsOf(() => draftFromInput({ ...imap, moveToFolder: 'Done' }, defaults))[0]!.field).toBe(
      'moveToFolder',
    );
  });

  it('POP3 can delete or keep, not markSeen or moveTo', () => {
    expect(draftFromInput({ ...pop3, afterFetch: 'keep' }, defaults).afterFetch).toBe('keep');
    expect(problemsOf(() => draftFromInput({ ...pop3, afterFetch: 'markSeen' }, defaults))).toEqual([
      { field: 'afterFetch', problem: '"markSeen" needs an IMAP account: POP3 can only delete or keep' },
    ]);
  });

  it('a patch leaving moveTo drops its folder', () => {
    const moving = {
      ...draftFromInput({ ...imap, afterFetch: 'moveTo', moveToFolder: 'Done' }, defaults),
      password: undefined,
    };
    expect(draftFromPatch(moving, { afterFetch: 'keep' })).toMatchObject({ afterFetch: 'keep', moveToFolder: null });
    expect(draftFromPatch(moving, { comment: 'x' }).moveToFolder).toBe('Done');
  });
});

describe('initialImport', () => {
  it('since needs a date, and only since takes one', () => {
    expect(problemsOf(() => draftFromInput({ ...imap, initialImport: 'since' }, defaults))).toEqual([
      { field: 'importSince', problem: 'is required when initialImport is "since"' },
    ]);
    const since = draftFromInput({ ...imap, initialImport: 'since', importSince: '2026-01-01T00:00:00Z' }, defaults);
    expect(since.importSince).toBe('2026-01-01T00:00:00Z');
    expect(problemsOf(() => draftFromInput({ ...imap, importSince: '2026-01-01T00:00:00Z' }, defaults))[0]!.field).toBe(
      'importSince',
    );
    expect(
      problemsOf(() => draftFromInput({ ...imap, initialImport: 'since', importSince: 'yesterday' }, defaults))[0]!
        .field,
    ).toBe('importSince');
    expect(draftFromPatch({ ...since, password: undefined }, { initialImport: 'none' }).importSince).toBeNull();
  });
});
