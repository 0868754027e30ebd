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
      parsed = plainMailbox(value) ?? (addressparser(value, { flatten: true }) as Address[]);
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

/** An address without quotes, comments, groups, routes or brackets. */
const ADDR = '[^\\s"(),:;<>@\\[\\]\\\\]+@[^\\s"(),:;<>@\\[\\]\\\\]+';
const BARE = new RegExp(`^\\s*(${ADDR})\\s*$`);
/** A display name of plain words (no quotes, comments or encoded words) before `<address>`. */
const NAMED = new RegExp(`^\\s*([^"(),:;<>@\\[\\]\\\\=?]*?)\\s*<(${ADDR})>\\s*$`);

/**
 * The one mailbox of a plain value (`a@b.example`, `<a@b.example>`, `Name <a@b.example>`) as
 * addressparser reads it, without its character-by-character tokenizer (most From and To values;
 * the unit test checks both agree). Anything else: null.
 */
function plainMailbox(value: string): Address[] | null {
  const bare = BARE.exec(value);
  if (bare) return [{ name: '', address: bare[1]! }];
  const named = NAMED.exec(value);
  return named ? [{ name: named[1]!.trim(), address: named[2]! }] : null;
}

/** The addresses of parsed mailboxes, lower-cased, for matching against system addresses. */
export function addressesOf(mailboxes: readonly Mailbox[]): string[] {
  return mailboxes.map((m) => m.address.replace(/^<|>$/g, '').toLowerCase()).filter((a) => a.includes('@'));
}
