import { MailductError } from '../errors/index.js';
import type { MailboxClient, RemoteMessage } from '../mail/index.js';
import type { HeldLock } from '../lock/index.js';
import type { Download } from './store-and-dispatch.js';

/** What a download needs of its run: the account's lock and the size limit. */
export interface DownloadInput {
  lock: HeldLock;
  maxBytes: number;
}

/**
 * The download of the next batch, started early. A batch left behind (the run stopped or failed
 * first) is dropped: its failure is handled here, and its messages, neither stored nor marked,
 * stay on the server.
 */
export class DownloadAhead {
  private next: { batch: RemoteMessage[]; downloads: Promise<Download[]> } | null = null;

  constructor(
    private readonly client: MailboxClient,
    private readonly input: DownloadInput,
  ) {}

  /** Start downloading this batch now. */
  start(batch: RemoteMessage[]): void {
    const downloads = downloadHeld(this.client, batch, this.input);
    downloads.catch(() => undefined);
    this.next = { batch, downloads };
  }

  /** This batch's downloads: the ones started ahead, or a download now. */
  take(batch: RemoteMessage[]): Promise<Download[]> {
    const next = this.next;
    this.next = null;
    return next?.batch === batch ? next.downloads : downloadHeld(this.client, batch, this.input);
  }
}

/**
 * Download a batch while asking Redis whether the lock is still held. A fetcher that was paused
 * past its lock's lifetime stops with LOCK_LOST, even when the download failed because the
 * process that took the lock over has deleted those messages meanwhile. Downloading deletes
 * nothing: the lock is asked again before the batch is marked deleted and before each commit.
 */
async function downloadHeld(client: MailboxClient, batch: RemoteMessage[], input: DownloadInput): Promise<Download[]> {
  const held = input.lock.assertHeld();
  held.catch(() => undefined);
  try {
    const downloads = await download(client, batch, input.maxBytes);
    await held;
    return downloads;
  } catch (err) {
    await held;
    // Asked before a pause that the download then ran into: ask again.
    await input.lock.assertHeld();
    throw err;
  }
}

async function download(client: MailboxClient, batch: RemoteMessage[], maxBytes: number): Promise<Download[]> {
  if (batch.length === 1) return [{ message: batch[0]!, raw: await client.fetch(batch[0]!, maxBytes) }];
  const raws = await client.fetchMany(batch, maxBytes);
  const out: Download[] = [];
  for (const m of batch) {
    const raw = raws.get(m.id);
    // A message expunged by someone else meanwhile is simply not there any more.
    if (raw) out.push({ message: m, raw });
  }
  if (out.length === 0 && batch.length > 0 && raws.size === 0) throw new MailductError('MAIL_PROTOCOL', `the server returned none of ${batch.length} listed messages`);
  return out;
}
