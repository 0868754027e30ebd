import type { MailboxClient, RemoteMessage } from '../mail/index.js';
import { downloadBatch, type BatchDownload, type DownloadInput } from './batch-download.js';
import { DEFAULT_BATCH_LIMITS, listedBytes } from './fetch-plan.js';

/**
 * Stage 1 of the fetch loop: the downloads of one session's batches, in order. Where `ahead` is
 * allowed, the next batch is asked for as soon as one has arrived, so the server sends it while
 * this one is hashed, parsed and stored (bench/fetch/compare.mjs: 6 % on IMAP 2,000 × 10 KiB).
 * Not over POP3 (a commit ends the session and what it downloaded ahead), not for a batch above
 * a batch's 8 MiB on its own (one such mail at a time in memory is enough), not once stopping.
 * A download left behind is dropped: its bytes go back to the budget and its messages, neither
 * stored nor marked, stay on the server.
 */
export class DownloadStage {
  private next: { index: number; result: Promise<BatchDownload> } | null = null;

  constructor(
    private readonly client: MailboxClient,
    private readonly batches: readonly RemoteMessage[][],
    private readonly input: DownloadInput & { signal?: AbortSignal },
    private readonly ahead: boolean,
  ) {}

  /** Batch `index`, downloaded (by the download started ahead, or now). */
  async take(index: number): Promise<BatchDownload> {
    const started = this.next?.index === index ? this.next.result : null;
    this.next = null;
    const got = await (started ?? downloadBatch(this.client, this.batches[index]!, this.input));
    const following = this.batches[index + 1];
    if (
      this.ahead &&
      following &&
      !this.input.signal?.aborted &&
      listedBytes(following) <= DEFAULT_BATCH_LIMITS.maxBytes
    ) {
      const result = downloadBatch(this.client, following, this.input);
      result.catch(() => undefined);
      this.next = { index: index + 1, result };
    }
    return got;
  }

  /** Drop a download started ahead and not taken. */
  drop(): void {
    void this.next?.result.then(
      (r) => r.release(),
      () => undefined,
    );
    this.next = null;
  }
}
