import { mailboxesIn, type Mailbox } from './addresses.js';
import { headerSection, parseHeaderFields, type HeaderField } from './header-block.js';

/** Case-insensitive access to a message's header fields (values undecoded, unfolded). */
export class MessageHeaders {
  private readonly byName = new Map<string, string[]>();
  private readonly parsedMailboxes = new Map<string, readonly Mailbox[]>();

  constructor(readonly fields: readonly HeaderField[]) {
    for (const f of fields) {
      const key = f.name.toLowerCase();
      const list = this.byName.get(key);
      if (list) list.push(f.value);
      else this.byName.set(key, [f.value]);
    }
  }

  /** Parse the header section of a raw message (headers only; the body is not read). */
  static fromRaw(raw: Buffer): MessageHeaders {
    return new MessageHeaders(parseHeaderFields(headerSection(raw)));
  }

  /** Every value of a field, in message order. */
  all(name: string): string[] {
    return this.byName.get(name.toLowerCase()) ?? [];
  }

  /** The first value of a field. */
  first(name: string): string | undefined {
    return this.byName.get(name.toLowerCase())?.[0];
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  /** The mailboxes of an address field, parsed once (the summary and dispatch both read To and Cc). */
  mailboxes(name: string): readonly Mailbox[] {
    const key = name.toLowerCase();
    let list = this.parsedMailboxes.get(key);
    if (!list) {
      list = mailboxesIn(this.all(key));
      this.parsedMailboxes.set(key, list);
    }
    return list;
  }
}
