import { MailductError } from '../errors/index.js';
import { downloadCap, type MailboxClient, type RemoteMessage } from '../mail/index.js';
import type { HeldLock } from '../lock/index.js';
import type { ByteBudget } from './byte-budget.js';
import { listedBytes } from './fetch-plan.js';
import { originOf } from './server-identity.js';
import type { Download } from './store-and-dispatch.js';

/** What a download needs of its run: the account's lock, the size limit and the process's byte budget. */
export interface DownloadInput {
  lock: HeldLock;
  maxBytes: number;
  budget?: ByteBudget;
}

/** One batch downloaded: the messages to store, the ones larger than allowed, and the budget to give back once stored. */
export interface BatchDownload {
  downloads: Download[];
  /** Larger on the wire than listed (beyond downloadCap) or than the size limit: left on the server. */
  tooLarge: RemoteMessage[];
  release: () => void;
}

/**
 * Download a batch while asking Redis whether the lock is still held. A fetcher that was paused
 * past its lock's lifetime stops with LOCK_LOST, even when the download failed because the
 * process that took the lock over has deleted those messages meanwhile. Downloading deletes
 * nothing: the lock is asked again before the batch is marked deleted and before each commit.
 */
export async function downloadBatch(
  client: MailboxClient,
  batch: RemoteMessage[],
  input: DownloadInput,
): Promise<BatchDownload> {
  // Bytes of mail in memory are bounded per process. Taken at once when there is room, so a
  // download started ahead (DownloadStage) is asked for before the batch before it is parsed.
  const bytes = listedBytes(batch);
  const release = input.budget ? (input.budget.tryTake(bytes) ?? (await input.budget.take(bytes))) : () => undefined;
  const held = input.lock.assertHeld();
  held.catch(() => undefined);
  try {
    const result = await download(client, batch, input.maxBytes);
    await held;
    return { ...result, release };
  } catch (err) {
    release();
    await held;
    // Asked before a pause that the download then ran into: ask again.
    await input.lock.assertHeld();
    throw err;
  }
}

async function download(
  client: MailboxClient,
  batch: RemoteMessage[],
  maxBytes: number,
): Promise<Omit<BatchDownload, 'release'>> {
  const results = await client.fetchMany(
    batch,
    batch.map((m) => downloadCap(m.size, maxBytes)),
  );
  const downloads: Download[] = [];
  const tooLarge: RemoteMessage[] = [];
  const mailbox = client.identity();
  results.forEach((r, i) => {
    // A message expunged by someone else meanwhile is simply not there any more.
    if (!r) return;
    const message = batch[i]!;
    if ('raw' in r) downloads.push({ message, raw: r.raw, origin: originOf(mailbox, message.id, r.internalDate) });
    else tooLarge.push(message);
  });
  if (downloads.length === 0 && tooLarge.length === 0 && batch.length > 0)
    throw new MailductError('MAIL_PROTOCOL', `the server returned none of ${batch.length} listed messages`);
  return { downloads, tooLarge };
}
