import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../helpers/api.js';

let t: TestApi;
let db: pg.Client;

beforeAll(async () => {
  t = await createTestApi({ LOG_LEVEL: 'warn' });
  db = new pg.Client({ connectionString: t.ctx.databaseUrl });
  await db.connect();
  // Something to point ids at.
  const account = await t.deps.services.accounts.create(
    { type: 'IMAP', host: 'fuzz.example.com', username: 'fuzz', password: 'fuzz-password' },
    'seed',
  );
  await t.deps.services.addresses.create({ address: 'fuzz@example.com', queueId: 1 }, 'seed');
  await t.deps.services.providers.create(
    {
      name: 'fuzz',
      kind: 'google',
      clientId: 'fuzz-client',
      clientSecret: 'fuzz-client-secret',
      grant: 'authorization_code',
    },
    'seed',
  );
  expect(account.id).toBe(1);
});
afterAll(async () => {
  await db?.end();
  await t?.close();
});

/** Everything a rejected request must leave as it was. */
async function snapshot(): Promise<string> {
  const { rows } = await db.query(`SELECT
    (SELECT count(*) FROM mail_account) a, (SELECT max(updated_at) FROM mail_account) au, (SELECT count(*) FROM queue) q, (SELECT max(updated_at) FROM queue) qu,
    (SELECT count(*) FROM system_address) s, (SELECT max(updated_at) FROM system_address) su, (SELECT count(*) FROM audit_event) e,
    (SELECT count(*) FROM inbound_message) m, (SELECT count(*) FROM api_token) k,
    (SELECT count(*) FROM oauth2_provider) p, (SELECT max(updated_at) FROM oauth2_provider) pu, (SELECT count(*) FROM oauth2_token) ot`);
  return JSON.stringify(rows[0]);
}

/** JSON nested n levels deep, as text (building it as an object would blow the test's own stack). */
const deep = (n: number): string => `${'{"v":'.repeat(n)}"bottom"${'}'.repeat(n)}`;
const HUGE = 'x'.repeat(200_000);
const STRINGS = [
  "' OR 1=1 --",
  '"; DROP TABLE mail_account; --',
  '\u0000',
  '😀🚀 عربى 漢字 ﷽ e\u0301',
  '../../etc/passwd',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  HUGE,
  '%00',
  ' ',
];
const WRONG: unknown[] = [123, -1, 1.5, true, null, [], {}, [1, 2], { nested: { deeper: { v: 1 } } }, 'string'];
const BAD_IDS = [
  '0',
  '-1',
  'abc',
  '1.5',
  '99999999999999999999999',
  '%00',
  '..%2F..',
  "1'%20OR%201=1",
  '1e3',
  '%F0%9F%98%80',
];

interface Op {
  method: string;
  path: string;
  body?: { properties?: Record<string, unknown>; required?: string[] };
}

function operations(doc: {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema: Op['body'] }> } }>>;
}): Op[] {
  const ops: Op[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, op] of Object.entries(methods))
      ops.push({ method: method.toUpperCase(), path, body: op.requestBody?.content?.['application/json']?.schema });
  }
  return ops;
}

function bodiesFor(op: Op): unknown[] {
  const props = Object.keys(op.body?.properties ?? {});
  const out: unknown[] = [{}, [], 42, null, { unknownField: 1 }, { raw: deep(20_000) }, { raw: `[${deep(500)}]` }];
  for (const p of props) {
    out.push({ raw: `{"${p}": ${deep(10_000)}}` });
    for (const w of WRONG) out.push({ [p]: w });
    for (const s of STRINGS) out.push({ [p]: s });
  }
  return out;
}

describe('API fuzzer over every endpoint', () => {
  it('answers only 4xx with the JSON error shape (never 5xx), and rejected requests change nothing', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json();
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThanOrEqual(20);
    const statuses = new Map<number, number>();
    let requests = 0;
    const check = async (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) => {
      const before = await snapshot();
      const res = await t.app.inject({
        method: method as 'GET',
        url,
        headers: { ...t.auth, ...headers },
        ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
      });
      requests++;
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      expect(
        res.statusCode,
        `${method} ${url} ${String(payload).slice(0, 200)} → ${res.body.slice(0, 300)}`,
      ).toBeLessThan(500);
      if (res.statusCode >= 400) {
        const body = res.json();
        expect(body.error, `${method} ${url}`).toMatchObject({ code: expect.any(String), message: expect.any(String) });
        expect(await snapshot(), `${method} ${url} changed the database while answering ${res.statusCode}`).toBe(
          before,
        );
      }
      expect(res.body).not.toContain('fuzz-password');
      expect(res.body).not.toContain('fuzz-client-secret');
    };
    for (const op of ops) {
      const concrete = op.path.replace(/\{[^}]+\}/g, '1');
      // Bad ids in the path.
      if (op.path.includes('{')) for (const id of BAD_IDS) await check(op.method, op.path.replace(/\{[^}]+\}/g, id));
      // Junk query strings.
      for (const s of [
        'limit=abc',
        'limit=-5',
        'offset=1e9',
        `q=${encodeURIComponent(HUGE.slice(0, 5000))}`,
        'includeInvalid=perhaps',
        'status=%00',
        'q=%00',
        `q=${encodeURIComponent("' OR 1=1 --")}`,
        'unknown=1',
      ])
        await check(op.method, `${concrete}?${s}`);
      if (op.method === 'GET' || op.method === 'DELETE') continue;
      for (const body of bodiesFor(op)) {
        const text =
          body !== null && typeof body === 'object' && 'raw' in body
            ? (body as { raw: string }).raw
            : JSON.stringify(body);
        await check(op.method, concrete, text, { 'content-type': 'application/json' });
      }
      await check(op.method, concrete, '{"broken": ', { 'content-type': 'application/json' });
      await check(op.method, concrete, 'a=b', { 'content-type': 'text/plain' });
      await check(op.method, concrete, '', { 'content-type': 'application/json' });
      await check(op.method, concrete, `{"a":"${'y'.repeat(2 * 1024 * 1024)}"}`, {
        'content-type': 'application/json',
      });
    }
    console.info(
      `api-fuzz: ${requests} requests over ${ops.length} operations; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
  }, 300_000);
});
