import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountDirectory, type DirectorySource } from './account-directory.js';
import type { DirectoryEntry } from './account-search.js';

const entry = (id: number, host: string): DirectoryEntry => ({
  id,
  text: `${host}\nagent\n`,
  type: 'IMAP',
  validity: 'valid',
});

/** A source whose loads finish when the test says, and whose change counter the test sets. */
function controlledSource(version = '1') {
  const loads: { resolve: (e: DirectoryEntry[]) => void; reject: (e: Error) => void }[] = [];
  const source: DirectorySource & { version: string } = {
    version,
    currentVersion: async () => source.version,
    loadEntries: () => new Promise((resolve, reject) => loads.push({ resolve, reject })),
  };
  return { source, loads };
}

const page = { q: 'mail', limit: 50, offset: 0 };
const settle = () => new Promise((r) => setImmediate(r));

/** A directory that has finished its first load (one entry, mail1), 60 s maximum age. */
async function loadedDirectory() {
  const { source, loads } = controlledSource();
  const directory = new AccountDirectory(source, { maxAgeMs: 60_000, versionTimeoutMs: 250 });
  const searched = directory.search(page);
  await settle();
  loads[0]!.resolve([entry(1, 'mail1')]);
  return { source, loads, directory, first: await searched };
}

beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
afterEach(() => vi.useRealTimers());

describe(AccountDirectory.name, () => {
  it('answers from loaded entries past their age and refreshes them behind the answer', async () => {
    const { loads, directory, first } = await loadedDirectory();
    expect(first).toEqual({ ids: [1], total: 1 });

    vi.advanceTimersByTime(61_000);
    expect(await directory.search(page)).toEqual({ ids: [1], total: 1 }); // not waiting for loads[1]
    expect(loads).toHaveLength(2);
    loads[1]!.resolve([entry(1, 'mail1'), entry(2, 'mail2')]);
    await settle();
    expect(await directory.search(page)).toEqual({ ids: [1, 2], total: 2 });
    expect(loads).toHaveLength(2);
  });

  it('waits for the reload when the change counter moved, so a list shows the write just made', async () => {
    const { source, loads, directory } = await loadedDirectory();

    source.version = '2';
    let answered = false;
    const second = directory.search(page).then((r) => ((answered = true), r));
    await settle();
    expect(answered).toBe(false);
    loads[1]!.resolve([entry(1, 'mail1'), entry(3, 'mail3')]);
    expect(await second).toEqual({ ids: [1, 3], total: 2 });
  });

  it('keeps answering from the loaded entries when a refresh of the same version fails', async () => {
    const { loads, directory } = await loadedDirectory();

    vi.advanceTimersByTime(61_000);
    await directory.search(page);
    loads[1]!.reject(new Error('connection lost'));
    await settle();
    expect(await directory.search(page)).toEqual({ ids: [1], total: 1 });
    expect(loads).toHaveLength(3); // still old, so it tries again
  });
});
