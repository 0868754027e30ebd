// Maildirs of the test Dovecot (test/harness/dovecot.mjs): messages written the way a delivery
// agent writes them, owned by the user Dovecot's mail processes run as.
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/** Give a whole tree to a user. */
export function chownTree(path, uid, gid) {
  chownSync(path, uid, gid);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}

let serial = 0;
const runTag = randomBytes(4).toString('hex');

function maildirOf(dir, user, folder) {
  return join(dir, 'mail', user, 'Maildir', folder && folder !== 'INBOX' ? `.${folder.replaceAll('/', '.')}` : '');
}

/** Give a file or tree to the Maildir's owner (Dovecot's mail processes run as that user). */
function ownLike(dir, user, path) {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = statSync(maildirOf(dir, user));
  chownTree(path, uid, gid);
}

/** The folder's Maildir, created (and subscribed) when missing. */
function ensureFolder(dir, user, folder) {
  const target = maildirOf(dir, user, folder);
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(target, sub), { recursive: true });
  if (folder && folder !== 'INBOX') {
    const subs = join(maildirOf(dir, user), 'subscriptions');
    const list = existsSync(subs) ? readFileSync(subs, 'utf8').split('\n') : [];
    if (!list.includes(folder)) appendFileSync(subs, `${folder}\n`);
    ownLike(dir, user, subs);
  }
  ownLike(dir, user, target);
  return target;
}

/**
 * Write one message the way a delivery agent does: into tmp/, then renamed into new/. With
 * `lfOnly`, the name carries the sizes (S= on disk, W= with CRLF) so Dovecot need not read it.
 */
function put(dir, user, target, bytes, lfOnly = false, mtime = undefined) {
  const lines = bytes.reduce((n, b) => n + (b === 0x0a ? 1 : 0), 0);
  const name = `${Math.floor(Date.now() / 1000)}.M${++serial}P${process.pid}R${runTag}.mailduct${lfOnly ? `,S=${bytes.length},W=${bytes.length + lines}` : ''}`;
  const tmp = join(target, 'tmp', name);
  writeFileSync(tmp, bytes);
  ownLike(dir, user, tmp);
  // Dovecot takes a Maildir message's INTERNALDATE from its file's modification time.
  if (mtime) utimesSync(tmp, mtime, mtime);
  renameSync(tmp, join(target, 'new', name));
}

const SEED_LINE = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvw\n';

/**
 * Put COUNT generated messages of exactly SIZE bytes (LF line endings; Dovecot reports sizes with
 * CRLF, SIZE + one per line) into a user's folder of the Dovecot in `dir`, with subjects
 * "<prefix> message <n>". Usable from another process than the one that started Dovecot. With
 * `date`, the messages are dated (Date header and INTERNALDATE) from that time on, a second apart.
 * @param {string} dir @param {string} user @param {number} count @param {number} size
 * @param {{ folder?: string; prefix?: string; date?: Date }} [options]
 */
export function seedMaildir(dir, user, count, size, options = {}) {
  const target = ensureFolder(dir, user, options.folder);
  const tag = options.prefix ?? 'seed';
  const now = options.date ? Math.floor(options.date.getTime() / 1000) + count : Math.floor(Date.now() / 1000);
  for (let i = 1; i <= count; i++) {
    const at = new Date((now - count + i) * 1000);
    const date = at.toUTCString().replace('GMT', '+0000');
    const head =
      `Return-Path: <sender@seed.test>\nFrom: Seed Sender <sender@seed.test>\nTo: <${user}@seed.test>\nSubject: ${tag} message ${i}\nDate: ${date}\n` +
      `Message-ID: <${tag}-${i}-${runTag}@seed.test>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\nX-Seed-Index: ${i}\n\n`;
    const remaining = Math.max(1, size - Buffer.byteLength(head));
    const rest = remaining % SEED_LINE.length;
    const body =
      SEED_LINE.repeat(Math.floor(remaining / SEED_LINE.length)) +
      (rest === 0 ? '' : rest === 1 ? '\n' : `${'x'.repeat(rest - 1)}\n`);
    put(dir, user, target, Buffer.from(head + body), true, options.date ? at : undefined);
  }
}

/** Store the given files byte for byte into a user's folder (a leading mbox "From " line dropped). */
export function deliverFiles(dir, user, files, folder) {
  const target = ensureFolder(dir, user, folder);
  for (const file of files) {
    let bytes = readFileSync(file);
    // a leading mbox "From " separator is not part of the message
    if (bytes.subarray(0, 5).toString('latin1') === 'From ') bytes = bytes.subarray(bytes.indexOf(0x0a) + 1);
    put(dir, user, target, bytes);
  }
}

/** Write many small messages straight into a user's INBOX cur/ (faster than seeding for 100,000s). */
export function writeBulk(dir, user, messages) {
  const cur = join(maildirOf(dir, user), 'cur');
  const stamp = Math.floor(Date.now() / 1000);
  let n = 0;
  for (const text of messages) {
    const file = join(cur, `${stamp}.M${n}P${process.pid}.mailduct-bulk:2,`);
    writeFileSync(file, text);
    ownLike(dir, user, file);
    n++;
  }
  return n;
}

/** Messages currently in a user's folder (Maildir new + cur). */
export function countMessages(dir, user, folder) {
  const md = maildirOf(dir, user, folder);
  return ['new', 'cur'].reduce((n, sub) => n + (existsSync(join(md, sub)) ? readdirSync(join(md, sub)).length : 0), 0);
}
