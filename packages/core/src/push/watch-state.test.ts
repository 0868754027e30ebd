import { describe, expect, it } from 'vitest';
import { combinedState, type FolderState } from './watch-state.js';

const watching: FolderState = { state: 'watching', reason: null };

describe(combinedState.name, () => {
  it('is watching when every watched folder is', () => {
    const folders = new Map([['INBOX', watching]]);
    expect(combinedState(folders, { watched: ['INBOX'], polled: [] }, 'h')).toEqual(watching);
  });

  it('names the first folder that is not watched when there are several', () => {
    const folders = new Map<string, FolderState>([
      ['INBOX', watching],
      ['Support', { state: 'waiting', reason: 'no connection free' }],
    ]);
    expect(combinedState(folders, { watched: ['INBOX', 'Support'], polled: [] }, 'h')).toEqual({
      state: 'waiting',
      reason: 'Support: no connection free',
    });
  });

  it('says which folders the session limit leaves to polling', () => {
    const folders = new Map([['INBOX', watching]]);
    const state = combinedState(folders, { watched: ['INBOX'], polled: ['Sales', 'Spam'] }, 'h');
    expect(state.state).toBe('watching');
    expect(state.reason).toMatch(/^1 of 3 folders watched; Sales, Spam polled: the mailbox allows 2 sessions/);
  });
});
