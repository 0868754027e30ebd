import type { AccountEventData } from '../webhooks/webhook-events.js';

/** One recorded account event, as the digest lists it. */
export interface NotifiedEvent {
  type: string;
  at: Date;
  data: AccountEventData;
}

/** A digest mail's subject and plain-text body. */
export interface DigestMail {
  subject: string;
  text: string;
}

const SAYS: Record<string, (d: AccountEventData) => string> = {
  'account.failed': (d) => `failing: ${d.consecutiveFailures} runs in a row failed`,
  'account.parked': (d) => `parked: no longer fetched until fixed${d.parkedReason ? ` (${d.parkedReason})` : ''}`,
  'account.reauthorization_required': () => 'needs re-authorization: the OAuth2 grant is gone, sign in again',
  'account.recovered': () => 'recovered: fetching again',
};
const LINE_MAX = 500;

/**
 * The digest of one account's events since its last mail, oldest first: the subject says how the
 * account is now (its newest event), the body each event with its time and error, and where to
 * look. Server text is one line, clipped: a hostile server cannot shape the mail.
 */
export function digestMail(events: readonly NotifiedEvent[], publicUrl: string | undefined): DigestMail {
  const last = events[events.length - 1]!;
  const { accountId, username, host } = last.data;
  const now = says(last);
  const more = events.length > 1 ? ` (${events.length} events since the last mail)` : '';
  const lines = [
    `Mail account ${accountId} (${username} on ${host}) is ${now}.`,
    '',
    ...events.flatMap((e) => [
      `${e.at.toISOString().replace('T', ' ').slice(0, 19)} UTC  ${says(e)}`,
      ...(e.data.error
        ? [`    ${e.data.error.class}${e.data.error.code ? ` ${e.data.error.code}` : ''}: ${e.data.error.message}`]
        : []),
    ]),
    '',
    publicUrl
      ? `The account: ${publicUrl}/accounts/${accountId}`
      : `The account: GET /api/v1/mail-accounts/${accountId} (set MAILDUCT_PUBLIC_URL for a link)`,
    'At most one mail per account an hour; webhooks tell at once.',
  ];
  return {
    subject: oneLine(`[mailduct] ${username} on ${host}: ${now.split(':')[0]}${more}`),
    text: lines.map(oneLine).join('\n') + '\n',
  };
}

function says(e: NotifiedEvent): string {
  return (SAYS[e.type] ?? (() => e.type))(e.data);
}

/** Control characters (line breaks included) become spaces; at most LINE_MAX characters. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, LINE_MAX);
}
