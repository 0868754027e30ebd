import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * GNU Mailutils' imap4d, a second IMAP implementation besides Dovecot (it has no UIDPLUS). Its
 * Debian package conflicts with dovecot-imapd, so its packages are fetched with `apt-get download`
 * and unpacked into a cache directory, never installed. Each connection runs one imap4d in inetd
 * mode, pre-authenticated as the user running the tests, on a Maildir of the test's own.
 */
const PACKAGES = [
  'mailutils-imap4d',
  'libmailutils9',
  'libmu-dbm9',
  'mailutils-common',
  'libgsasl18',
  'libkyotocabinet16v5',
  'libntlm0',
  'libidn12',
  'libgssglue1',
  'liblzo2-2',
];
const CACHE = '/tmp/mailduct-mailutils';
const ROOT = join(CACHE, 'root');
const BINARY = join(ROOT, 'usr', 'sbin', 'imap4d');

export interface MailutilsImap {
  port: number;
  maildir: string;
  /** Put messages into the Maildir; `deleted` ones carry the \Deleted flag already. */
  deliver(messages: { text: string; deleted?: boolean }[]): void;
  /** Messages in the Maildir now. */
  count(): number;
  close(): Promise<void>;
}

async function ensureBinaries(): Promise<void> {
  if (existsSync(BINARY)) return;
  mkdirSync(CACHE, { recursive: true });
  try {
    await run('apt-get', ['download', ...PACKAGES], { cwd: CACHE }).catch(async () => {
      // a fresh machine may have no package lists yet
      await run('apt-get', ['update']);
      await run('apt-get', ['download', ...PACKAGES], { cwd: CACHE });
    });
  } catch (err) {
    throw new Error(
      `cannot fetch GNU Mailutils for the test (apt-get download ${PACKAGES.join(' ')}): ${(err as Error).message}`,
    );
  }
  for (const deb of readdirSync(CACHE).filter((f) => f.endsWith('.deb')))
    await run('dpkg-deb', ['-x', join(CACHE, deb), ROOT]);
}

export async function startMailutilsImap(dir: string): Promise<MailutilsImap> {
  await ensureBinaries();
  const maildir = join(dir, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  const config = join(dir, 'imap4d.conf');
  writeFileSync(
    config,
    `mailbox {\n  mailbox-pattern "${maildir}";\n  mailbox-type maildir;\n}\nlogging {\n  syslog false;\n}\n`,
  );
  const env = {
    ...process.env,
    LD_LIBRARY_PATH: [join(ROOT, 'usr', 'lib', 'x86_64-linux-gnu'), join(ROOT, 'lib', 'x86_64-linux-gnu')].join(':'),
  };
  const children = new Set<ReturnType<typeof spawn>>();
  const server = net.createServer((socket) => {
    const child = spawn(BINARY, ['--inetd', '--preauth', `--config-file=${config}`], {
      stdio: [socket, socket, 'ignore'],
      env,
    });
    children.add(child);
    child.on('exit', () => {
      children.delete(child);
      socket.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let n = 0;
  return {
    port: (server.address() as net.AddressInfo).port,
    maildir,
    deliver(messages) {
      // Maildir files hold LF line endings (imap4d serves a CRLF file as an empty message).
      for (const m of messages)
        writeFileSync(
          join(maildir, 'cur', `${Date.now()}.M${++n}P${process.pid}.mailduct:2,${m.deleted ? 'T' : ''}`),
          m.text.replaceAll('\r\n', '\n'),
        );
    },
    count() {
      return ['cur', 'new'].reduce((sum, sub) => sum + readdirSync(join(maildir, sub)).length, 0);
    },
    async close() {
      for (const c of children) c.kill('SIGKILL');
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
