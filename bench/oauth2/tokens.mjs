#!/usr/bin/env node
// bench/oauth2/tokens: what the OAuth2 token lifecycle costs a fetcher. (1) A login's token from
// the store (PostgreSQL read + AES-GCM open): latency over many accounts. (2) One expired token
// asked for by 20 callers in 4 "processes" (AccessTokens on connections of their own) at once:
// provider requests (must be 1) and how long the last caller waits, with the provider answering
// in BENCH_PROVIDER_MS (default 150 ms, about Entra's). (3) 1,000 tokens expiring together,
// refreshed by 4 processes 25 at a time each: refreshes per second, and provider requests.
// The token endpoint here is a stand-in (rotating refresh tokens, RFC 6749 answers): the
// benchmark measures mailduct's side, not a provider; the tests use a real one (oidc-provider).
import { createServer } from 'node:http';
import { URLSearchParams } from 'node:url';
import { loadConfig } from '../../packages/core/dist/config/index.js';
import { createInfrastructure } from '../../packages/core/dist/infrastructure/index.js';
import { benchEnv, dropDatabase, freshDatabase, machine } from '../lib.mjs';

const PROVIDER_MS = Number(process.env.BENCH_PROVIDER_MS || 150);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS || 1000);

let requests = 0;
let issued = 0;
const live = new Set();
const provider = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    requests++;
    const p = new URLSearchParams(body);
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      if (p.get('grant_type') !== 'refresh_token' || !live.delete(p.get('refresh_token'))) {
        res.statusCode = 400;
        return res.end('{"error":"invalid_grant"}');
      }
      const refresh = `rt-${++issued}`;
      live.add(refresh);
      res.end(
        JSON.stringify({
          access_token: `at-${issued}-${'x'.repeat(1200)}`,
          token_type: 'Bearer',
          expires_in: 3600,
          refresh_token: refresh,
        }),
      );
    }, PROVIDER_MS);
  });
});
await new Promise((r) => provider.listen(0, '127.0.0.1', r));
const tokenUrl = `http://127.0.0.1:${provider.address().port}/token`;

const env = benchEnv('mailduct_bench_oauth2', { MAILDUCT_OAUTH2_ALLOW_HTTP: 'true' });
await freshDatabase(env);
const config = loadConfig(env);
const infras = Array.from({ length: 4 }, (_, i) => createInfrastructure(config, { name: `bench-${i}`, poolSize: 8 }));
const [main] = infras;
const db = main.pool;
const { rows } = await db.query(
  `INSERT INTO oauth2_provider (name, kind, token_endpoint, client_id, client_secret_enc, grant_type, updated_at)
   VALUES ('bench', 'generic', $1, 'c', $2, 'authorization_code', now()) RETURNING id`,
  [tokenUrl, main.secrets.seal('s')],
);
await db.query(
  `INSERT INTO mail_account (type, host, username, password_enc, auth_method, oauth2_provider_id)
   SELECT 'IMAPS', 'outlook.office365.com', 'u' || i || '@example.com', '', 'oauth2', $2 FROM generate_series(1, $1) i`,
  [ACCOUNTS, rows[0].id],
);
const ids = (await db.query('SELECT id FROM mail_account ORDER BY id')).rows.map((r) => r.id);
for (const id of ids) {
  const refresh = `rt-seed-${id}`;
  live.add(refresh);
  await main.accessTokens.tokens.authorized(
    id,
    {
      accessToken: `at-seed-${id}-${'x'.repeat(1200)}`,
      accessExpiresAt: new Date(Date.now() + 3600_000),
      refreshToken: refresh,
      scope: null,
      identity: null,
    },
    'bench',
  );
}
const expire = (list) =>
  db.query("UPDATE oauth2_token SET access_expires_at = now() - interval '1 s' WHERE account_id = ANY($1)", [list]);
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

// (1) A stored token.
const stored = [];
for (let i = 0; i < 5000; i++) {
  const t0 = performance.now();
  await main.accessTokens.accessToken(ids[i % ids.length]);
  stored.push(performance.now() - t0);
}

// (2) 20 callers in 4 processes, one expired token, 20 rounds.
const waits = [];
const perRound = [];
for (let round = 0; round < 20; round++) {
  const id = ids[round];
  await expire([id]);
  const before = requests;
  const t0 = performance.now();
  const got = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      infras[i % 4].accessTokens.accessToken(id).then((t) => [t, performance.now() - t0]),
    ),
  );
  perRound.push(requests - before);
  waits.push(Math.max(...got.map(([, ms]) => ms)));
  if (new Set(got.map(([t]) => t)).size !== 1) throw new Error('callers got different tokens');
}

// (3) Every token expires at once; 4 processes refresh 25 at a time each.
await expire(ids);
const before = requests;
const t0 = performance.now();
let next = 0;
await Promise.all(
  infras.flatMap((infra) =>
    Array.from({ length: 25 }, async () => {
      for (let i = next++; i < ids.length; i = next++) await infra.accessTokens.accessToken(ids[i]);
    }),
  ),
);
const stormSeconds = (performance.now() - t0) / 1000;
const stormRequests = requests - before;

for (const infra of infras) await infra.close();
provider.close();
await dropDatabase(env);

console.log(`\n### bench/oauth2/tokens (${machine()}, provider answers in ${PROVIDER_MS} ms)\n`);
console.log('| what | result |');
console.log('|---|---|');
console.log(
  `| a login's stored token (read + open), ${ACCOUNTS} accounts | p50 ${pct(stored, 0.5).toFixed(2)} ms, p99 ${pct(stored, 0.99).toFixed(2)} ms |`,
);
console.log(
  `| one expired token, 20 callers in 4 processes at once | ${Math.max(...perRound)} provider request(s) per round (20 rounds); last caller served after p50 ${pct(waits, 0.5).toFixed(0)} ms, p99 ${pct(waits, 0.99).toFixed(0)} ms |`,
);
console.log(
  `| ${ACCOUNTS} tokens expiring together, 4 processes × 25 at a time | ${stormRequests} provider requests, ${(ACCOUNTS / stormSeconds).toFixed(0)} refreshes/s (${stormSeconds.toFixed(1)} s) |`,
);
