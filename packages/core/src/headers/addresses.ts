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
  // A field given many times (100 To: headers of 10,000 addresses each) is read up to a budget.
  let budget = MAX_ADDRESS_CHARS;
  for (const whole of values) {
    if (budget <= 0) break;
    const value = whole.length > budget ? whole.slice(0, whole.lastIndexOf(',', budget) + 1 || budget) : whole;
    budget -= whole.length;
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

/** Characters of one address field that are parsed (all its values together). */
const MAX_ADDRESS_CHARS = 256 * 1024;

/**
 * An address without quotes, comments, groups, routes or brackets. Neither side can hold an "@",
 * so the pattern matches one way only (linear time).
 */
const ADDR = /^[^\s"(),:;<>@[\]\\]+@[^\s"(),:;<>@[\]\\]+$/;
/** A display name of plain words: no quotes, comments or encoded words. */
const PLAIN_NAME = /^[^"(),:;<>@[\]\\=?]*$/;

/**
 * The one mailbox of a plain value (`a@b.example`, `<a@b.example>`, `Name <a@b.example>`) as
 * addressparser reads it, without its character-by-character tokenizer (most From and To values;
 * the unit test checks both agree). Anything else: null. Split by position, then each part
 * checked by a pattern that has one way to match: a regular expression with a lazy name before
 * optional spaces took seconds for a value of 40,000 spaces.
 */
function plainMailbox(value: string): Address[] | null {
  const v = value.trim();
  if (ADDR.test(v)) return [{ name: '', address: v }];
  if (!v.endsWith('>')) return null;
  const lt = v.lastIndexOf('<');
  if (lt < 0) return null;
  const address = v.slice(lt + 1, -1);
  const name = v.slice(0, lt);
  return ADDR.test(address) && PLAIN_NAME.test(name) ? [{ name: name.trim(), address }] : null;
}

/** The addresses of parsed mailboxes, lower-cased, for matching against system addresses. */
export function addressesOf(mailboxes: readonly Mailbox[]): string[] {
  return mailboxes.map((m) => m.address.replace(/^<|>$/g, '').toLowerCase()).filter((a) => a.includes('@'));
}
