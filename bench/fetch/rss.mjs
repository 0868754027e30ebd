// Peak RSS above idle while one fetch process stores one ~32 MiB message (bench/fetch).
import { loadConfig } from '../../packages/core/dist/config/index.js';
import { createLogger } from '../../packages/core/dist/log/index.js';
import { SecretBox } from '../../packages/core/dist/crypto/index.js';
import { createFetchRuntime } from '../../apps/fetcher/dist/index.js';
import { createInfrastructure } from '../../packages/core/dist/infrastructure/index.js';
import { seedMailbox } from '../lib.mjs';

const SIZE = 32_000_000; // bytes on disk (LF); the server reports ~32.4 MB with CRLF, just under the 32 MiB default limit
const config = loadConfig(process.env);
seedMailbox(process.env.DOVECOT_DIR, 'user5', 1, SIZE);
const infra = createInfrastructure(config, { poolSize: 4 });
const runtime = createFetchRuntime(infra, createLogger({ level: 'silent' }));
const account = await infra.prisma.mailAccount.create({
  data: {
    type: 'IMAP',
    host: '127.0.0.1',
    port: Number(process.env.DOVECOT_IMAP_PORT),
    username: 'user5',
    passwordEnc: new SecretBox(config.secretKey).seal('password'),
    imapFolder: 'INBOX',
  },
});
// Warm up (modules, pools, Redis) with an empty run, then settle.
await runtime.service.fetchAccount({ accountId: account.id, trigger: 'cli', limit: 0 }).catch(() => undefined);
globalThis.gc?.();
await new Promise((r) => setTimeout(r, 500));
const idle = process.memoryUsage().rss;
let peak = idle;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
const outcome = await runtime.service.fetchAccount({ accountId: account.id, trigger: 'cli' });
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
const size =
  (await infra.prisma.inboundMessage.findFirst({ where: { accountId: account.id }, select: { size: true } }))?.size ??
  0;
await infra.close();
if (outcome.counts.fetched !== 1) throw new Error(`fetch of the large message failed: ${JSON.stringify(outcome)}`);
const mib = (b) => (b / 1024 / 1024).toFixed(1);
console.log(
  `\nPeak RSS while fetching one ${mib(size)} MiB message: idle ${mib(idle)} MiB, peak ${mib(peak)} MiB, **${mib(peak - idle)} MiB above idle = ${((peak - idle) / size).toFixed(2)} × the message** (target < 4 ×).`,
);
