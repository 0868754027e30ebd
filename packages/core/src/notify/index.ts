export { digestMail } from './digest-mail.js';
export type { DigestMail, NotifiedEvent } from './digest-mail.js';
export { DIGEST_EVERY_MS, NotificationRepository } from './notification-repository.js';
export { smtpMailer } from './smtp-mailer.js';
export type { Mailer } from './smtp-mailer.js';
export { sendDigests } from './digest-sender.js';
