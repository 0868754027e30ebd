import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { MailductError } from '../errors/index.js';
import type { MailHostPolicy } from './host-policy.js';

/**
 * The address to connect to for `host`, checked against the policy. Every address the name
 * resolves to must be allowed (a name that also points inside the network is refused), and the
 * connection goes to the address checked here, not to a second look-up of the name.
 */
export async function resolveMailHost(host: string, policy: MailHostPolicy): Promise<string> {
  const addresses = await addressesOf(host);
  for (const address of addresses) {
    const verdict = policy.check(host, address);
    if (!verdict.allowed) throw new MailductError('MAIL_HOST_DENIED', `not connecting: ${verdict.reason}`);
  }
  return addresses[0]!;
}

/** Every address `host` resolves to now, in the resolver's order (an address is itself). */
export async function addressesOf(host: string): Promise<string[]> {
  return isIP(host) !== 0 ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
}
