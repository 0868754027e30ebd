import addressparser, { type Address } from 'nodemailer/lib/addressparser';
import { decodeWords } from './decode.js';

/** A mailbox from an address header: decoded display name and address. */
export interface Mailbox {
  name: string;
  address: string;
}

/**
 * The mailboxes in address header values, in order: groups are flattened, comments and display
 * names (RFC 2047 encoded or not) are separated from the address, several values are joined.
 */
export function mailboxesIn(values: readonly string[]): Mailbox[] {
  const out: Mailbox[] = [];
  for (const value of values) {
    let parsed: Address[];
    try {
      parsed = addressparser(value, { flatten: true }) as Address[];
    } catch {
      continue;
    }
    for (const a of parsed) {
      if (!a.address) continue;
      out.push({ name: decodeWords(a.name ?? '').trim(), address: a.address.trim() });
    }
  }
  return out;
}

/** The addresses of parsed mailboxes, lower-cased, for matching against system addresses. */
export function addressesOf(mailboxes: readonly Mailbox[]): string[] {
  return mailboxes.map((m) => m.address.replace(/^<|>$/g, '').toLowerCase()).filter((a) => a.includes('@'));
}
