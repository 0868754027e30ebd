import nodemailer from 'nodemailer';
import type { NotifyConfig } from '../config/index.js';
import type { DigestMail } from './digest-mail.js';

/** Sends digests to the configured addresses. */
export interface Mailer {
  send(mail: DigestMail): Promise<void>;
  close(): void;
}

/**
 * The SMTP connection of the notifications (nodemailer): STARTTLS required unless the operator
 * said `tls` (port 465) or `none` (a local relay); bounded waits so a stuck relay fails a round,
 * not the process. Errors carry the server's answer, never the password.
 */
export function smtpMailer(config: NotifyConfig, extraCa?: string): Mailer {
  const { smtp } = config;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === 'tls',
    requireTLS: smtp.tls === 'starttls',
    ignoreTLS: smtp.tls === 'none',
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password } } : {}),
    ...(extraCa ? { tls: { ca: extraCa } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail) {
      await transport.sendMail({ from: config.from, to: config.to, subject: mail.subject, text: mail.text });
    },
    close: () => transport.close(),
  };
}
