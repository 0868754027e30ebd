import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A folder of the workplace's shared material (../shared beside the project): the Dovecot harness
 * and the mail corpus. Looked up beside this checkout first, then in /work/shared, so a clone
 * elsewhere on the machine (CI) finds it too. `envName` overrides.
 */
export function sharedDir(name: string, envName: string): string {
  const candidates = [process.env[envName], join(import.meta.dirname, '..', '..', '..', 'shared', name), join('/work', 'shared', name)].filter((c): c is string => Boolean(c));
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`cannot find shared/${name}; tried ${candidates.join(', ')} (set ${envName})`);
  return found;
}

/** The Dovecot test harness (shared/dovecot-test, or DOVECOT_TEST_HARNESS). */
export const HARNESS = sharedDir('dovecot-test', 'DOVECOT_TEST_HARNESS');

/** A running, isolated Dovecot with users user1..userN, password "password". */
export interface Dovecot {
  dir: string;
  host: string;
  imapPort: number;
  imapsPort: number;
  pop3Port: number;
  pop3sPort: number;
  ca: string;
  password: string;
  users: string[];
  /** Put COUNT generated messages of SIZE bytes into a user's folder. */
  seed(user: string, count: number, size: number, options?: { folder?: string; prefix?: string }): Promise<void>;
  /** Store the given files byte for byte. */
  deliver(user: string, files: string[], options?: { folder?: string }): Promise<void>;
  /**
   * Append settings to the server's configuration and reload it (new sessions get them), e.g. a
   * capability list without UIDPLUS or a UIDL format that repeats.
   */
  configure(settings: string): Promise<void>;
  /** Write many small messages straight into a user's Maildir (faster than seed for 100,000s). */
  writeMessages(user: string, messages: Iterable<string>): number;
  /** Messages currently in a user's folder (Maildir new + cur). */
  count(user: string, folder?: string): number;
  stop(): Promise<void>;
}

/** Start a Dovecot on free ports; `noTls` gives a server without STARTTLS/STLS and implicit TLS. */
export async function startDovecot(options: { users?: number; noTls?: boolean; password?: string } = {}): Promise<Dovecot> {
  if (!existsSync('/usr/sbin/dovecot')) throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd dovecot-pop3d (npm test does this)');
  for (let attempt = 0; attempt < 8; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 400) * 100;
    const dir = `/tmp/mailduct-dovecot-${process.pid}-${base}`;
    const args = ['--dir', dir, '--users', String(options.users ?? 4), '--port-base', String(base)];
    if (options.noTls) args.push('--no-tls');
    if (options.password) args.push('--password', options.password);
    try {
      await run(join(HARNESS, 'start.sh'), args);
    } catch (err) {
      await run('rm', ['-rf', dir]).catch(() => undefined);
      if (/already in use/.test(String((err as { stderr?: string }).stderr))) continue;
      throw err;
    }
    return harness(dir);
  }
  throw new Error('could not find free ports for Dovecot');
}

function harness(dir: string): Dovecot {
  const env = Object.fromEntries(
    readFileSync(join(dir, 'env'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]),
  );
  const maildir = (user: string, folder?: string) => join(dir, 'mail', user, 'Maildir', folder && folder !== 'INBOX' ? `.${folder.replaceAll('/', '.')}` : '');
  return {
    dir,
    host: '127.0.0.1',
    imapPort: Number(env.IMAP_PORT),
    imapsPort: Number(env.IMAPS_PORT || 0),
    pop3Port: Number(env.POP3_PORT),
    pop3sPort: Number(env.POP3S_PORT || 0),
    ca: readFileSync(env.DOVECOT_CA!, 'utf8'),
    password: env.DOVECOT_PASSWORD!,
    users: env.DOVECOT_USERS!.split(' '),
    async seed(user, count, size, o = {}) {
      const args = ['--dir', dir];
      if (o.folder) args.push('--folder', o.folder);
      if (o.prefix) args.push('--prefix', o.prefix);
      await run(join(HARNESS, 'seed.sh'), [...args, user, String(count), String(size)]);
    },
    async deliver(user, files, o = {}) {
      const args = ['--dir', dir];
      if (o.folder) args.push('--folder', o.folder);
      for (let i = 0; i < files.length; i += 200) await run(join(HARNESS, 'deliver.sh'), [...args, user, ...files.slice(i, i + 200)]);
    },
    async configure(settings) {
      appendFileSync(join(dir, 'dovecot.conf'), `\n${settings}\n`);
      await run('/usr/sbin/dovecot', ['-c', join(dir, 'dovecot.conf'), 'reload']);
      // The master re-reads its configuration on SIGHUP; sessions started after that use it.
      await new Promise((r) => setTimeout(r, 500));
    },
    writeMessages(user, messages) {
      const cur = join(maildir(user), 'cur');
      const owner = statSync(maildir(user));
      const stamp = Math.floor(Date.now() / 1000);
      let n = 0;
      for (const text of messages) {
        const file = join(cur, `${stamp}.M${n}P${process.pid}.mailduct-test:2,`);
        writeFileSync(file, text);
        chownSync(file, owner.uid, owner.gid);
        n++;
      }
      return n;
    },
    count(user, folder) {
      const md = maildir(user, folder);
      return ['new', 'cur'].reduce((n, sub) => n + (existsSync(join(md, sub)) ? readdirSync(join(md, sub)).length : 0), 0);
    },
    async stop() {
      await run(join(HARNESS, 'stop.sh'), [dir]).catch(() => undefined);
      await run('rm', ['-rf', dir]).catch(() => undefined);
    },
  };
}
