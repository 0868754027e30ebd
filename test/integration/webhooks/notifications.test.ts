import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { NotificationRepository, sendDigests, smtpMailer } from '@mailduct/core/notify';
import { FAILURES_BEFORE_EVENT } from '@mailduct/core/webhooks';
import { startDovecot, type Dovecot } from '../../helpers/dovecot.js';
import { createFetchWorld, type FetchWorld } from '../../helpers/fetch-world.js';
import { closedPort } from '../../helpers/ports.js';

// Account health by e-mail, through a real SMTP server (smtp-server, with a login): real runs
// record account.failed and account.recovered; a digest goes out at most once per account an
// hour, holding everything since the last; a relay that refuses the mail leaves the events for
// the next round; two processes sending at once send one mail.
interface Received {
  from: string;
  to: string[];
  subject: string;
  text: string;
}
let dc: Dovecot;
let w: FetchWorld;
let smtp: SMTPServer;
let refuse = false;
const received: Received[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth: (auth, _session, cb) =>
      auth.username === 'mailduct' && auth.password === 'smtp-pass'
        ? cb(null, { user: 'mailduct' })
        : cb(new Error('bad login')),
    onData: async (stream, session, cb) => {
      const mail = await plainMail(stream);
      if (refuse) return cb(Object.assign(new Error('451 try again later'), { responseCode: 451 }));
      received.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
        subject: mail.subject ?? '',
        text: mail.text ?? '',
      });
      cb();
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const port = (smtp.server.address() as AddressInfo).port;
  dc = await startDovecot({ users: 1, noTls: true });
  w = await createFetchWorld(
    dc,
    {},
    {
      MAILDUCT_NOTIFY_TO: 'ops@example.com, lead@example.com',
      MAILDUCT_NOTIFY_FROM: 'mailduct@example.com',
      MAILDUCT_SMTP_HOST: '127.0.0.1',
      MAILDUCT_SMTP_PORT: String(port),
      MAILDUCT_SMTP_TLS: 'none',
      MAILDUCT_SMTP_USER: 'mailduct',
      MAILDUCT_SMTP_PASSWORD: 'smtp-pass',
      MAILDUCT_PUBLIC_URL: 'https://mailduct.example.com',
    },
  );
}, 60_000);
afterAll(async () => {
  await w?.close();
  await dc?.stop();
  await new Promise<void>((r) => smtp?.close(() => r()));
});

/** Subject and text of a plain-text mail as nodemailer writes it (7bit or quoted-printable). */
async function plainMail(stream: AsyncIterable<Buffer>): Promise<{ subject: string; text: string }> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  const raw = Buffer.concat(chunks).toString('latin1');
  const end = raw.indexOf('\r\n\r\n');
  const [head, body] = [raw.slice(0, end), raw.slice(end + 4)];
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  const subject = /^Subject: (.*)$/im.exec(unfolded)?.[1] ?? '';
  const qp = /^Content-Transfer-Encoding: quoted-printable/im.test(unfolded);
  const text = qp
    ? Buffer.from(
        body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8')
    : body;
  return { subject, text: text.replace(/\r\n/g, '\n') };
}

describe('account health notifications by e-mail', () => {
  it('mails a digest per account at most once an hour, and retries one the relay refused', async () => {
    const repository = new NotificationRepository(w.runtime.prisma);
    const mailer = smtpMailer(w.ctx.config.notify!);
    const deps = { repository, mailer, logger: createLogger({ level: 'silent' }), publicUrl: w.ctx.config.publicUrl };
    const id = await w.account('IMAP', dc.users[0]!, { port: await closedPort() });
    const run = () => w.runtime.service.fetchAccount({ accountId: id, trigger: 'manual' });
    for (let i = 0; i < FAILURES_BEFORE_EVENT; i++) await run();
    const t0 = new Date();

    refuse = true;
    expect(await sendDigests(deps, t0)).toBe(0); // 451: kept for the next round
    refuse = false;
    // Two processes at once: one mail.
    const [a, b] = await Promise.all([sendDigests(deps, t0), sendDigests(deps, t0)]);
    expect(a + b).toBe(1);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      from: 'mailduct@example.com',
      to: ['ops@example.com', 'lead@example.com'],
      subject: `[mailduct] ${dc.users[0]} on localhost: failing`,
    });
    expect(received[0]!.text).toContain(`failing: ${FAILURES_BEFORE_EVENT} runs in a row failed`);
    expect(received[0]!.text).toContain(`https://mailduct.example.com/accounts/${id}`);

    // It recovers ten minutes later: told in the next digest, an hour after the last.
    await w.runtime.prisma.mailAccount.update({ where: { id }, data: { port: dc.imapPort } });
    expect((await run()).outcome).toBe('success');
    expect(await sendDigests(deps, new Date(t0.getTime() + 10 * 60_000))).toBe(0);
    expect(await sendDigests(deps, new Date(t0.getTime() + 61 * 60_000))).toBe(1);
    expect(received).toHaveLength(2);
    expect(received[1]!.subject).toBe(`[mailduct] ${dc.users[0]} on localhost: recovered`);
    expect(await sendDigests(deps, new Date(t0.getTime() + 200 * 60_000))).toBe(0); // nothing new
    mailer.close();
  });
});
