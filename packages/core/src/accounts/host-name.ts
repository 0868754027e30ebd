import { isIP } from 'node:net';

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A host as compared: lower case, without trailing dots (`MAIL.Example.com.` is `mail.example.com`). */
export function normalHost(host: string): string {
  let h = host.toLowerCase();
  while (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/**
 * True for a bare host name (RFC 1123 labels) or an IPv4/IPv6 address: no scheme, port, path,
 * user info or whitespace. `mail.example.com`, `10.0.0.5` and `::1` pass; `imaps://x` does not.
 */
export function isHostName(value: string): boolean {
  if (isIP(value) !== 0) return true;
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => LABEL.test(label));
}
