import type { RemoteMessage } from '../mail/index.js';

/** What one folder (or a POP3 maildrop, folder null) holds, and how much of it the initial import takes. */
export interface FolderPreview {
  folder: string | null;
  total: number;
  oldest: string | null;
  newest: string | null;
  wouldImport: number;
}

/** The dry run's summary of the initial import, over every folder the account reads. */
export interface ImportPreview {
  initialImport: 'all' | 'none' | 'since';
  /** Mail that arrived before this stays on the server; null: all is taken. */
  cutoff: string | null;
  total: number;
  oldest: string | null;
  newest: string | null;
  wouldImport: number;
  folders: FolderPreview[];
}

/**
 * One folder's preview from its listing and arrival dates (MailboxClient.arrivals): the initial
 * import takes a message that arrived at the cutoff or later, or has no date (null); one missing
 * from `dates` arrived before the date they were asked from. Returns the preview
 * and the messages taken, in server order.
 */
export function previewFolder(
  folder: string | null,
  listing: readonly RemoteMessage[],
  dates: ReadonlyMap<string, Date | null>,
  cutoff: Date | null,
): { preview: FolderPreview; taken: RemoteMessage[] } {
  let oldest: number | null = null;
  let newest: number | null = null;
  const taken: RemoteMessage[] = [];
  for (const m of listing) {
    const date = dates.get(m.id);
    const t = date?.getTime();
    if (t !== undefined) {
      oldest = oldest === null ? t : Math.min(oldest, t);
      newest = newest === null ? t : Math.max(newest, t);
    }
    // Not in the answer: arrived before the date asked about (as leftByImport decides).
    if (cutoff === null || date === null || (t !== undefined && t >= cutoff.getTime())) taken.push(m);
  }
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    preview: { folder, total: listing.length, oldest: iso(oldest), newest: iso(newest), wouldImport: taken.length },
    taken,
  };
}

/** The account's summary from its folders' previews. */
export function summarize(
  initialImport: ImportPreview['initialImport'],
  cutoff: Date | null,
  folders: FolderPreview[],
): ImportPreview {
  const dated = (pick: (f: FolderPreview) => string | null) => folders.map(pick).filter((d): d is string => d !== null);
  const oldest = dated((f) => f.oldest).sort()[0] ?? null;
  const newest =
    dated((f) => f.newest)
      .sort()
      .at(-1) ?? null;
  return {
    initialImport,
    cutoff: cutoff?.toISOString() ?? null,
    total: folders.reduce((n, f) => n + f.total, 0),
    oldest,
    newest,
    wouldImport: folders.reduce((n, f) => n + f.wouldImport, 0),
    folders,
  };
}
