import { decodeWords, messageIdsIn, type MessageHeaders } from '../headers/index.js';

/** What may tie a mail to an existing ticket; deciding is the ticket system's job. */
export interface FollowUpHints {
  ticketNumbers: string[];
  inReplyTo: string | null;
  references: string[];
}

// OTOBO's Ticket::Hook "Ticket#" followed by a ticket number (AutoIncrement or Date-based),
// as in "[Ticket#2024010110000011]", "Ticket#: 2024…", "RE: Ticket# 123456". Written so that no
// space can be matched two ways (`\s*:?\s*` could split a run of spaces anywhere: quadratic on
// "Ticket#" followed by 40,000 spaces).
const TICKET_NUMBER = /Ticket#\s*(?::\s*)?(\d{5,32})/gi;

/** Ticket numbers in the Subject and the In-Reply-To/References message ids. */
export function followUpHints(h: MessageHeaders): FollowUpHints {
  const subject = decodeWords(h.first('subject') ?? '');
  const numbers = [...subject.matchAll(TICKET_NUMBER)].map((m) => m[1]!);
  return {
    ticketNumbers: [...new Set(numbers)],
    inReplyTo: messageIdsIn(h.first('in-reply-to'))[0] ?? null,
    references: messageIdsIn(h.all('references').join(' ')).slice(0, 100),
  };
}
