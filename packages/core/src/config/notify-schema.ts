import { z } from 'zod';

const optionalText = (name: string, max: number) =>
  z
    .string()
    .max(max, `${name} must be at most ${max} characters`)
    .optional()
    .transform((v) => (v === '' ? undefined : v));

/** One address, as the mail's From or a recipient: no display name, no header syntax. */
const ADDRESS = /^[^\s@<>",;:]+@[^\s@<>",;:]+$/;

/** The environment of the e-mail notifications (account health digests over SMTP). */
export const notifyEnvShape = {
  MAILDUCT_SMTP_HOST: optionalText('MAILDUCT_SMTP_HOST', 253),
  MAILDUCT_SMTP_PORT: z.coerce
    .number({ error: 'MAILDUCT_SMTP_PORT must be a number' })
    .int('MAILDUCT_SMTP_PORT must be a whole number')
    .min(1, 'MAILDUCT_SMTP_PORT must be at least 1')
    .max(65535, 'MAILDUCT_SMTP_PORT must be at most 65535')
    .default(587),
  MAILDUCT_SMTP_TLS: z
    .enum(['starttls', 'tls', 'none', ''], {
      error: 'MAILDUCT_SMTP_TLS must be starttls (required, port 587), tls (port 465) or none (a local relay)',
    })
    .default('starttls')
    .transform((v) => (v === '' ? 'starttls' : v)),
  MAILDUCT_SMTP_USER: optionalText('MAILDUCT_SMTP_USER', 320),
  MAILDUCT_SMTP_PASSWORD: optionalText('MAILDUCT_SMTP_PASSWORD', 1000),
  MAILDUCT_NOTIFY_FROM: optionalText('MAILDUCT_NOTIFY_FROM', 320).refine(
    (v) => v === undefined || ADDRESS.test(v),
    'MAILDUCT_NOTIFY_FROM must be one e-mail address, e.g. mailduct@desk.example.com',
  ),
  MAILDUCT_NOTIFY_TO: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
    )
    .refine(
      (list) => list.every((a) => ADDRESS.test(a) && a.length <= 320),
      'MAILDUCT_NOTIFY_TO must be e-mail addresses separated by commas',
    )
    .refine((list) => list.length <= 50, 'MAILDUCT_NOTIFY_TO must list at most 50 addresses'),
};

/** Where account health digests go, or null: notifications are off (MAILDUCT_NOTIFY_TO unset). */
export interface NotifyConfig {
  smtp: { host: string; port: number; tls: 'starttls' | 'tls' | 'none'; user?: string; password?: string };
  from: string;
  to: string[];
}

type NotifyEnv = { [K in keyof typeof notifyEnvShape]: z.output<(typeof notifyEnvShape)[K]> };

/** The notifications' settings, or the problems of a half-configured set (each naming the variable). */
export function notifyConfigOf(e: NotifyEnv): NotifyConfig | null | { field: string; problem: string }[] {
  if (e.MAILDUCT_NOTIFY_TO.length === 0) return null;
  const problems: { field: string; problem: string }[] = [];
  if (!e.MAILDUCT_SMTP_HOST)
    problems.push({
      field: 'MAILDUCT_SMTP_HOST',
      problem: 'MAILDUCT_NOTIFY_TO is set: the SMTP server to send through is needed',
    });
  if (!e.MAILDUCT_NOTIFY_FROM)
    problems.push({
      field: 'MAILDUCT_NOTIFY_FROM',
      problem: 'MAILDUCT_NOTIFY_TO is set: the sender address is needed',
    });
  if ((e.MAILDUCT_SMTP_USER === undefined) !== (e.MAILDUCT_SMTP_PASSWORD === undefined))
    problems.push({
      field: 'MAILDUCT_SMTP_PASSWORD',
      problem: 'MAILDUCT_SMTP_USER and MAILDUCT_SMTP_PASSWORD go together',
    });
  if (problems.length > 0) return problems;
  return {
    smtp: {
      host: e.MAILDUCT_SMTP_HOST!,
      port: e.MAILDUCT_SMTP_PORT,
      tls: e.MAILDUCT_SMTP_TLS as NotifyConfig['smtp']['tls'],
      ...(e.MAILDUCT_SMTP_USER ? { user: e.MAILDUCT_SMTP_USER, password: e.MAILDUCT_SMTP_PASSWORD } : {}),
    },
    from: e.MAILDUCT_NOTIFY_FROM!,
    to: e.MAILDUCT_NOTIFY_TO,
  };
}
