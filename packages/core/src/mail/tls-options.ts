import { isIP } from 'node:net';
import { rootCertificates, type ConnectionOptions } from 'node:tls';

/** What decides how a mail connection is secured. */
export interface TlsSettings {
  host: string;
  /** Verify the certificate chain and host name (default on; per account `tlsVerify`). */
  verify: boolean;
  /** Extra trusted CAs (PEM), e.g. a company CA (MAILDUCT_EXTRA_CA_FILE). */
  extraCa?: string;
}

/**
 * Node TLS options for a mail server. Verification is on unless switched off for the account;
 * an extra CA is added to Node's default roots, not used instead of them.
 */
export function tlsOptionsFor(s: TlsSettings): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: s.verify, minVersion: 'TLSv1.2' };
  // SNI must be a host name; for an IP address Node checks the certificate's IP SAN without it.
  if (isIP(s.host) === 0) options.servername = s.host;
  if (s.extraCa) options.ca = [...rootCertificates, s.extraCa];
  return options;
}
