import { hash } from 'node:crypto';
import type { RemoteMessage } from '../mail/index.js';
import { webhookEventId, type MessageEventData, type WebhookEventType } from '../webhooks/webhook-events.js';

/** One message event of a run, ready to publish: its id (the receiver's idempotency key) and data. */
export interface MessageEvent {
  type: Extract<WebhookEventType, 'message.quarantined' | 'message.oversized'>;
  id: string;
  data: MessageEventData;
}

/** A message stored quarantined in this run. */
export interface QuarantinedMessage {
  id: number;
  size: number;
  subject: string | null;
  reason: string;
}

/** What one folder's session reports: mail quarantined, mail left on the server as too large. */
export interface FolderEvents {
  quarantined(m: QuarantinedMessage): void;
  oversized(m: RemoteMessage): void;
}

/** Events one run publishes at most; a mailbox full of broken mail gives the rest in later runs' counts only. */
export const MESSAGE_EVENTS_PER_RUN = 200;
const SUBJECT_MAX = 250;

/**
 * The message events of one run, for the webhooks. `message.quarantined` is known by the stored
 * message (once per message); `message.oversized` by the account, folder and server id, so a
 * message listed by every run (the folder empties by delete or move) is one event, not one a run.
 */
export class MessageEventLog {
  readonly events: MessageEvent[] = [];
  /** Events past MESSAGE_EVENTS_PER_RUN, not published. */
  dropped = 0;
  private readonly seen = new Set<string>();

  constructor(
    private readonly accountId: number,
    private readonly maxBytes: number,
  ) {}

  forFolder(folder: string | null): FolderEvents {
    return {
      quarantined: (m) =>
        this.add({
          type: 'message.quarantined',
          id: webhookEventId('message.quarantined', m.id),
          data: { ...this.base(folder), messageId: m.id, size: m.size, subject: clip(m.subject), reason: m.reason },
        }),
      oversized: (m) => {
        const where = hash('sha256', `${this.accountId}\n${folder ?? ''}\n${m.id}`, 'hex').slice(0, 24);
        this.add({
          type: 'message.oversized',
          id: webhookEventId('message.oversized', `${this.accountId}-${where}`),
          data: {
            ...this.base(folder),
            messageId: null,
            size: m.size,
            subject: null,
            reason: `larger than MAILDUCT_MAX_MESSAGE_BYTES (${this.maxBytes} bytes): left on the server`,
          },
        });
      },
    };
  }

  private base(folder: string | null) {
    return { accountId: this.accountId, folder };
  }

  private add(e: MessageEvent): void {
    if (this.seen.has(e.id)) return;
    this.seen.add(e.id);
    if (this.events.length < MESSAGE_EVENTS_PER_RUN) this.events.push(e);
    else this.dropped++;
  }
}

function clip(subject: string | null): string | null {
  return subject === null ? null : subject.slice(0, SUBJECT_MAX);
}
