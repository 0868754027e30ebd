import { describe, expect, it } from 'vitest';
import { previewFolder, summarize } from './import-preview.js';

const m = (id: string, seq: number) => ({ id, seq, size: 100 });
const d = (s: string) => new Date(s);

describe('previewFolder', () => {
  const listing = [m('1', 1), m('2', 2), m('3', 3), m('4', 4)];
  // IMAP leaves out the messages SEARCH SINCE did not name (3); 4 has no date
  const dates = new Map<string, Date | null>([
    ['1', d('2025-01-05T00:00:00Z')],
    ['2', d('2026-11-01T10:00:00Z')],
    ['4', null],
  ]);

  it('counts what the server holds, its oldest and newest date, and takes everything without a cutoff', () => {
    const { preview, taken } = previewFolder('INBOX', listing, dates, null);
    expect(preview).toEqual({
      folder: 'INBOX',
      total: 4,
      oldest: '2025-01-05T00:00:00.000Z',
      newest: '2026-11-01T10:00:00.000Z',
      wouldImport: 4,
    });
    expect(taken).toHaveLength(4);
  });

  it('with a cutoff takes what arrived since, and what has no date (nothing is left out on a guess)', () => {
    const cutoff = d('2026-10-01T00:00:00Z');
    const { preview, taken } = previewFolder('INBOX', listing, dates, cutoff);
    expect(taken.map((x) => x.id)).toEqual(['2', '4']);
    expect(preview.wouldImport).toBe(2);
  });
});

describe('summarize', () => {
  it('adds the folders up', () => {
    const s = summarize('since', d('2026-01-01T00:00:00Z'), [
      {
        folder: 'INBOX',
        total: 3,
        oldest: '2025-01-01T00:00:00.000Z',
        newest: '2026-02-01T00:00:00.000Z',
        wouldImport: 1,
      },
      { folder: 'Support', total: 2, oldest: null, newest: null, wouldImport: 2 },
    ]);
    expect(s).toMatchObject({
      cutoff: '2026-01-01T00:00:00.000Z',
      total: 5,
      wouldImport: 3,
      oldest: '2025-01-01T00:00:00.000Z',
      newest: '2026-02-01T00:00:00.000Z',
    });
  });
});
