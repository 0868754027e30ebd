// bench/fetch, warm: the bare client and mailduct's FetchService in one long-lived process, as in
// a fetcher worker that has been running for a while. One warm-up pass each, then ROUNDS
// alternating passes; prints the medians as JSON. Env: DOVECOT_DIR, DATABASE_URL, REDIS_URL, …
import { loadConfig } from '../../packages/core/dist/config/index.js';
import { createLogger } from '../../packages/core/dist/log/index.js';
import { SecretBox } from '../../packages/core/dist/crypto/index.js';
import { createFetchRuntime } from '../../apps/fetcher/dist/index.js';
import { createInfrastructure } from '../../packages/core/dist/infrastructure/index.js';
import { seedMailbox } from '../lib.mjs';
import { bareFetch } from './bare.mjs';

const [protocol, port, user, count, size, rounds] = process.argv.slice(2);
const config = loadConfig(process.env);
const seed = (n) => seedMailbox(process.env.DOVECOT_DIR, user, n, size);
const infra = createInfrastructure(config, { poolSize: 4 });
const runtime = createFetchRuntime(infra, createLogger({ level: 'silent' }));
const account = await infra.prisma.mailAccount.create({
  data: {
    type: protocol,
    host: '127.0.0.1',
    port: Number(port),
    username: user,
    passwordEnc: new SecretBox(config.secretKey).seal('password'),
    imapFolder: protocol === 'IMAP' ? 'INBOX' : null,
  },
});
const bare = [];
const run = [];
for (let round = -1; round < Number(rounds); round++) {
  const n = round < 0 ? Math.max(1, Math.round(Number(count) / 4)) : Number(count); // round -1 warms up
  seed(n);
  const t0 = performance.now();
  if ((await bareFetch(protocol, Number(port), user)) !== n) throw new Error('bare client missed messages');
  const b = (performance.now() - t0) / 1000;
  seed(n);
  const outcome = await runtime.service.fetchAccount({ accountId: account.id, trigger: 'cli' });
  if (outcome.outcome !== 'success' || outcome.counts.fetched !== n)
    throw new Error(`fetch run: ${JSON.stringify(outcome)}`);
  const row = await infra.prisma.fetchRun.findUniqueOrThrow({ where: { id: BigInt(outcome.runId) } });
  if (round >= 0) {
    bare.push(b);
    run.push((row.finishedAt.getTime() - row.startedAt.getTime()) / 1000);
  }
}
await infra.close();
console.log(JSON.stringify({ bare, run }));
