// A throwaway Dovecot (IMAP and POP3, plain, STARTTLS and implicit TLS) for tests and benchmarks:
// its own directory, configuration, self-signed certificate, users and Maildirs, on free ports of
// 127.0.0.1. Nothing outside the directory is touched (the system's /etc/dovecot is not read).
// Plain JavaScript so that benchmarks (node) and tests (vitest) share it; types in dovecot.d.mts.
import { execFile, spawn } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chownTree, countMessages, deliverFiles, seedMaildir, writeBulk } from './maildir.mjs';
import { writeOAuth2Config } from './dovecot-oauth2.mjs';

export { seedMaildir };

const run = promisify(execFile);
const DOVECOT = '/usr/sbin/dovecot';
/**
 * Refused logins answered at once and without a growing per-IP penalty: the bearer-token tests
 * refuse on purpose, and with Dovecot's 2 s delay plus 4, 8, 15 s penalties they took minutes.
 */
const NO_AUTH_DELAY = `auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}`;

/** One certificate for every harness on the machine (CN and SANs localhost and 127.0.0.1). */
const CERT_DIR = '/tmp/mailduct-dovecot-cert';

/**
 * Start a Dovecot with users user1..userN (password "password" unless given).
 * `noTls`: no TLS at all (plain ports without STARTTLS/STLS, no implicit-TLS ports).
 * `oauth2`: also SASL XOAUTH2 and OAUTHBEARER on every listener, each bearer token checked by
 * RFC 7662 introspection at `introspectionUrl` on every login (see oauth2Config).
 * @param {{ users?: number; noTls?: boolean; password?: string; oauth2?: import('./dovecot.d.mts').DovecotOAuth2 }} [options]
 */
export async function startDovecot(options = {}) {
  if (!existsSync(DOVECOT))
    throw new Error('dovecot is not installed: apt-get install -y dovecot-imapd dovecot-pop3d (npm test does this)');
  const users = Array.from({ length: options.users ?? 4 }, (_, i) => `user${i + 1}`);
  const password = options.password ?? 'password';
  if (/[:\n]/.test(password)) throw new Error('the test password must not contain ":" or a line break');
  const ssl = options.noTls ? null : await certificate();
  for (let attempt = 0; attempt < 8; attempt++) {
    const ports = await freePorts(options.noTls ? 2 : 4);
    const [imapPort, pop3Port, imapsPort = 0, pop3sPort = 0] = ports;
    const dir = `/tmp/mailduct-dovecot-${process.pid}-${imapPort}`;
    rmSync(dir, { recursive: true, force: true });
    const owner = mailOwner();
    layout(dir, users, password, owner);
    const oauth2 = options.oauth2 ? writeOAuth2Config(dir, options.oauth2) : null;
    writeFileSync(
      join(dir, 'dovecot.conf'),
      config({ dir, owner, ssl, oauth2, imapPort, pop3Port, imapsPort, pop3sPort }),
    );
    try {
      await launch(join(dir, 'dovecot.conf'), dir);
      await waitForGreetings(
        [
          [imapPort, '* OK'],
          [pop3Port, '+OK'],
        ],
        dir,
      );
    } catch (err) {
      await stop(dir);
      if (attempt < 7 && /in use/i.test(String(err))) continue;
      throw err;
    }
    return harness({
      dir,
      users,
      password,
      owner,
      imapPort,
      pop3Port,
      imapsPort,
      pop3sPort,
      ca: ssl ? readFileSync(ssl.cert, 'utf8') : '',
    });
  }
  throw new Error('could not find free ports for Dovecot');
}

/** @returns {Promise<{ cert: string; key: string; dh: string }>} */
async function certificate() {
  const cert = join(CERT_DIR, 'cert.pem');
  const key = join(CERT_DIR, 'key.pem');
  const dh = join(CERT_DIR, 'dh.pem');
  if (!existsSync(cert) || !existsSync(key)) {
    mkdirSync(CERT_DIR, { recursive: true });
    const tmp = `${CERT_DIR}/new-${process.pid}`;
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '3650',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      `${tmp}.key`,
      '-out',
      `${tmp}.cert`,
    ]);
    // renamed into place, so a concurrent test never reads half a file
    renameSync(`${tmp}.key`, key);
    renameSync(`${tmp}.cert`, cert);
  }
  if (!existsSync(dh)) {
    if (existsSync('/usr/share/dovecot/dh.pem')) copyFileSync('/usr/share/dovecot/dh.pem', `${dh}.${process.pid}`);
    else await run('openssl', ['dhparam', '-dsaparam', '-out', `${dh}.${process.pid}`, '2048']);
    renameSync(`${dh}.${process.pid}`, dh);
  }
  return { cert, key, dh };
}

/** Ports the kernel hands out as free (closed again at once; Dovecot binds them right after). */
async function freePorts(n) {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Who owns the Maildirs: as root, nobody (Dovecot refuses to run mail processes as root). */
function mailOwner() {
  if (process.getuid?.() !== 0)
    return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, user: null, group: null, loginUser: null };
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const has = (name) => passwd.split('\n').some((l) => l.startsWith(`${name}:`));
  return {
    uid: 65534,
    gid: 65534,
    user: has('dovecot') ? 'dovecot' : 'nobody',
    group: has('dovecot') ? 'dovecot' : 'nogroup',
    loginUser: has('dovenull') ? 'dovenull' : 'nobody',
  };
}

function layout(dir, users, password, owner) {
  for (const sub of ['run', 'state', 'log', 'mail', 'ssl']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'users.passwd'), users.map((u) => `${u}:{PLAIN}${password}::::::\n`).join(''), {
    mode: 0o644,
  });
  for (const u of users)
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, 'mail', u, 'Maildir', sub), { recursive: true });
  if (process.getuid?.() === 0) chownTree(join(dir, 'mail'), owner.uid, owner.gid);
}

function config(o) {
  const { dir, owner, ssl } = o;
  const identity = owner.user
    ? `default_internal_user = ${owner.user}\ndefault_internal_group = ${owner.group}\ndefault_login_user = ${owner.loginUser}`
    : `default_internal_user = ${process.env.USER ?? 'root'}\ndefault_login_user = ${process.env.USER ?? 'root'}`;
  const listener = (name, port, tls) =>
    `  inet_listener ${name} {\n    address = 127.0.0.1\n    port = ${port}\n${tls ? '    ssl = yes\n' : ''}  }\n`;
  return `# Written by test/harness/dovecot.mjs for one test run.
instance_name = mailduct-test-${o.imapPort}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/log/dovecot.log
listen = 127.0.0.1
protocols = imap pop3
${identity}
mail_location = maildir:~/Maildir
mail_uid = ${owner.uid}
mail_gid = ${owner.gid}
first_valid_uid = ${owner.uid}
first_valid_gid = ${owner.gid}
mail_privileged_group =
mail_fsync = never
namespace inbox {
  inbox = yes
  separator = /
}
disable_plaintext_auth = no
auth_mechanisms = plain login${o.oauth2 ? ' xoauth2 oauthbearer\nauth_verbose = yes' : ''}
auth_cache_size = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users.passwd
${o.oauth2 ? '  # a password is never taken as a bearer token\n  mechanisms = plain login\n' : ''}}
${o.oauth2 ? `passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ${o.oauth2}\n}\n${NO_AUTH_DELAY}` : ''}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/users.passwd
  default_fields = uid=${owner.uid} gid=${owner.gid} home=${dir}/mail/%u
}
${ssl ? `ssl = yes\nssl_cert = <${ssl.cert}\nssl_key = <${ssl.key}\nssl_dh = <${ssl.dh}\nssl_min_protocol = TLSv1.2` : 'ssl = no'}
mail_max_userip_connections = 1000
default_process_limit = 200
default_client_limit = 2000
service imap-login {
${listener('imap', o.imapPort, false)}${ssl ? listener('imaps', o.imapsPort, true) : ''}}
service pop3-login {
${listener('pop3', o.pop3Port, false)}${ssl ? listener('pop3s', o.pop3sPort, true) : ''}}
protocol imap {
  mail_max_userip_connections = 1000
}
protocol pop3 {
  mail_max_userip_connections = 1000
  pop3_uidl_format = %08Xu%08Xv
}
`;
}

/**
 * Start the master, which forks into the background: wait for the starting process to exit, with
 * no pipes the daemon could inherit (they would never close).
 */
function launch(conf, dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(DOVECOT, ['-c', conf], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`dovecot exited ${code}:\n${readLog(dir)}`)),
    );
  });
}

async function waitForGreetings(expected, dir) {
  const deadline = Date.now() + 10_000;
  for (const [port, prefix] of expected) {
    for (;;) {
      if (await greets(port, prefix)) break;
      if (Date.now() > deadline) throw new Error(`dovecot did not come up on port ${port}:\n${readLog(dir)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function greets(port, prefix) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(2000, () => done(false));
    s.once('error', () => done(false));
    s.once('data', (d) => done(d.toString('latin1').startsWith(prefix)));
  });
}

function readLog(dir) {
  try {
    return readFileSync(join(dir, 'log', 'dovecot.log'), 'utf8').slice(-4000);
  } catch {
    return '(no log)';
  }
}

/** End the master (SIGTERM, then SIGKILL after 5 s) and wait until it is gone. */
async function kill(dir) {
  const pidFile = join(dir, 'run', 'master.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50; i++) {
      process.kill(pid, 0);
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(pid, 'SIGKILL');
    for (;;) {
      process.kill(pid, 0);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch {
    // gone
  }
}

async function stop(dir) {
  await kill(dir);
  rmSync(dir, { recursive: true, force: true });
}

function harness(o) {
  const { dir } = o;
  return {
    dir,
    host: '127.0.0.1',
    imapPort: o.imapPort,
    imapsPort: o.imapsPort,
    pop3Port: o.pop3Port,
    pop3sPort: o.pop3sPort,
    ca: o.ca,
    password: o.password,
    users: o.users,
    async seed(user, count, size, options = {}) {
      seedMaildir(dir, user, count, size, options);
    },
    async deliver(user, files, options = {}) {
      deliverFiles(dir, user, files, options.folder);
    },
    async configure(settings) {
      appendFileSync(join(dir, 'dovecot.conf'), `\n${settings}\n`);
      await run(DOVECOT, ['-c', join(dir, 'dovecot.conf'), 'reload']);
      // The master re-reads its configuration on SIGHUP; sessions started after that use it.
      await new Promise((r) => setTimeout(r, 500));
    },
    writeMessages: (user, messages) => writeBulk(dir, user, messages),
    count: (user, folder) => countMessages(dir, user, folder),
    async doveadm(...args) {
      const { stdout } = await run('/usr/bin/doveadm', ['-c', join(dir, 'dovecot.conf'), ...args]);
      return stdout;
    },
    async restart() {
      await kill(dir);
      await launch(join(dir, 'dovecot.conf'), dir);
      await waitForGreetings([[o.imapPort, '* OK']], dir);
    },
    stop: () => stop(dir),
  };
}
