import { BlockList, isIP } from 'node:net';
import { normalHost } from '../accounts/host-name.js';

/**
 * Addresses a mail connection may not reach unless the operator allows them: loopback,
 * private, shared (CGNAT), link-local (cloud metadata at 169.254.169.254 among them),
 * unspecified, multicast and broadcast. Without this, anyone who may test a connection could
 * scan the internal network and read its banners through mailduct.
 */
const DENIED_BY_DEFAULT: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

/** Whether an address may be reached, and why not. */
export type HostVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * Which mail hosts mailduct connects to (MAILDUCT_ALLOWED_MAIL_HOSTS, MAILDUCT_DENIED_MAIL_HOSTS):
 * entries are host names (`mail.internal`, `*.corp.example`), addresses or CIDR ranges; `*`
 * allows everything. Denied: the operator's entries, and the internal ranges above unless an
 * allowed entry names the host or its address. Checked on the address a name resolved to, right
 * before connecting, so a name that later resolves elsewhere (DNS rebinding) does not get past it.
 */
export class MailHostPolicy {
  private readonly allowAll: boolean;
  private readonly allowedNames: string[];
  private readonly allowedAddresses = new BlockList();
  private readonly deniedNames: string[];
  private readonly deniedAddresses = new BlockList();
  private readonly internal = new BlockList();

  constructor(allowed: readonly string[] = [], denied: readonly string[] = []) {
    this.allowAll = allowed.includes('*');
    this.allowedNames = names(allowed);
    this.deniedNames = names(denied);
    addAddresses(this.allowedAddresses, allowed);
    addAddresses(this.deniedAddresses, denied);
    addAddresses(this.internal, DENIED_BY_DEFAULT);
  }

  /** May `host`, resolved to `address`, be connected to? */
  check(host: string, address: string): HostVerdict {
    const name = normalHost(host);
    const ip = unmapped(address);
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (this.deniedNames.some((p) => matches(p, name)) || this.deniedAddresses.check(ip, family))
      return { allowed: false, reason: `${host} (${ip}) is on MAILDUCT_DENIED_MAIL_HOSTS` };
    if (this.allowAll || this.allowedNames.some((p) => matches(p, name)) || this.allowedAddresses.check(ip, family))
      return { allowed: true };
    if (this.internal.check(ip, family))
      return {
        allowed: false,
        reason: `${host} resolves to ${ip}, an internal address (loopback, private, link-local or metadata); allow it with MAILDUCT_ALLOWED_MAIL_HOSTS`,
      };
    return { allowed: true };
  }
}

/** Entries of a comma-separated setting. */
export function entries(setting: string | undefined): string[] {
  return (setting ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
}

/** Whether an entry is valid: `*`, a host name (optionally `*.`), an address or a CIDR range. */
export function isHostEntry(entry: string): boolean {
  if (entry === '*') return true;
  const [ip, bits, extra] = entry.split('/');
  if (extra === undefined && isIP(ip!) !== 0)
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(ip!) === 4 ? 32 : 128));
  return /^(\*\.)?[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*\.?$/i.test(entry);
}

function names(list: readonly string[]): string[] {
  return list.filter((e) => e !== '*' && isIP(e.split('/')[0]!) === 0).map(normalHost);
}

function addAddresses(target: BlockList, list: readonly string[]): void {
  for (const e of list) {
    const [ip, bits] = e.split('/');
    const family = isIP(ip!);
    if (family === 0) continue;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) target.addAddress(ip!, type);
    else target.addSubnet(ip!, Number(bits), type);
  }
}

function matches(pattern: string, name: string): boolean {
  return pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) : pattern === name;
}

/** An IPv4 address written as IPv6 (::ffff:10.0.0.1) is checked as the IPv4 address it is. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m ? m[1]! : address;
}
