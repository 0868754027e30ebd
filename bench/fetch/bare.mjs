// The ceiling of bench/fetch: a bare client that downloads and deletes every message and does
// nothing else (imapflow for IMAP, node-pop3 for POP3). Imported by warm.mjs; run as a script it
// does one cold pass in its own process and prints the seconds and the CPU it took (start-up excluded).
import { ImapFlow } from 'imapflow';
import Pop3Command from 'node-pop3';

/** Download and delete every message of `user`; resolves to the number of messages. */
export async function bareFetch(protocol, port, user) {
  return protocol === 'IMAP' ? bareImap(port, user) : barePop3(port, user);
}

async function bareImap(port, user) {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass: 'password' },
    logger: false,
  });
  await client.connect();
  await client.mailboxOpen('INBOX');
  let n = 0;
  const uids = [];
  for await (const m of client.fetch('1:*', { uid: true, source: true })) {
    if (m.source.length > 0) n++;
    uids.push(m.uid);
  }
  await client.messageDelete(uids.join(','), { uid: true });
  await client.logout();
  return n;
}

async function barePop3(port, user) {
  const pop3 = new Pop3Command({ host: '127.0.0.1', port, user, password: 'password' });
  const list = await pop3.UIDL();
  let n = 0;
  for (const [num] of list) {
    const text = await pop3.RETR(num);
    if (text.length > 0) n++;
    await pop3.DELE(num);
  }
  await pop3.QUIT();
  return n;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [protocol, port, user] = process.argv.slice(2);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const n = await bareFetch(protocol, Number(port), user);
  const cpu = process.cpuUsage(cpu0);
  // cpuSeconds: this process's CPU during the pass, all threads (JIT, GC) included.
  console.log(
    JSON.stringify({
      messages: n,
      seconds: (performance.now() - t0) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    }),
  );
}
