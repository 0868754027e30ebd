import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** Paths pino replaces with "[redacted]": passwords, tokens, cookies, credentials in URLs. */
export const REDACT_PATHS = [
  'password',
  'passwordEnc',
  'token',
  'secretKey',
  '*.password',
  '*.passwordEnc',
  '*.token',
  '*.secretKey',
  '*.*.password',
  '*.*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

/** Create the process logger: JSON lines, secrets redacted. */
export function createLogger(options: { level?: string; name?: string } = {}, destination?: DestinationStream): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.name ?? 'mailduct' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(opts, destination) : pino(opts);
}

export type { Logger };
