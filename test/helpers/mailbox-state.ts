import type { Dovecot } from './dovecot.js';

/** A message of a Dovecot folder as doveadm sees it. */
export interface ServerMessage {
  uid: number;
  flags: string[];
}

/** What a user's folder holds on the server: UIDs and flags, in UID order. */
export async function serverMessages(dc: Dovecot, user: string, folder = 'INBOX'): Promise<ServerMessage[]> {
  const out = await dc.doveadm('fetch', '-u', user, 'uid flags', 'mailbox', folder, 'all');
  const messages: ServerMessage[] = [];
  for (const block of out.split(/\n(?=uid: )/)) {
    const uid = /uid: (\d+)/.exec(block)?.[1];
    if (!uid) continue;
    const flags = /flags: ?(.*)/.exec(block)?.[1] ?? '';
    messages.push({ uid: Number(uid), flags: flags.split(/\s+/).filter((f) => f && f !== '\\Recent') });
  }
  return messages.sort((a, b) => a.uid - b.uid);
}

/** A folder's UIDVALIDITY. */
export async function uidValidityOf(dc: Dovecot, user: string, folder = 'INBOX'): Promise<number> {
  const out = await dc.doveadm('mailbox', 'status', '-u', user, 'uidvalidity', folder);
  return Number(/uidvalidity=(\d+)/.exec(out)?.[1]);
}
