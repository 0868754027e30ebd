import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '@mailduct/api';
import type { AccountType } from '@mailduct/core/accounts';
import { loadConfig } from '@mailduct/core/config';
import { createLogger } from '@mailduct/core/log';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { testApiDeps } from '../../helpers/runtime.js';

let t: TestApi;
const TYPES: AccountType[] = ['IMAP', 'IMAPS', 'IMAPTLS', 'POP3', 'POP3S', 'POP3TLS'];

// 300 accounts: hosts mail0..mail9.example.com, every 7th invalid, every 10th with a comment.
beforeAll(async () => {
  t = await createTestApi();
  for (let i = 0; i < 300; i++) {
    await t.deps.services.accounts.create(
      {
        type: TYPES[i % 6]!,
        host: `mail${i % 10}.example.com`,
        username: `agent${String(i).padStart(3, '0')}`,
        password: 'pw',
        validity: i % 7 === 0 ? 'invalid' : 'valid',
        comment: i % 10 === 0 ? `Team Nordic ${i}` : null,
      },
      'seed',
    );
  }
});
afterAll(async () => t?.close());

async function list(query: string) {
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/mail-accounts?${query}`, headers: t.auth });
  expect(res.statusCode).toBe(200);
  return res.json() as {
    items: { host: string; username: string; type: string; validity: string; comment: string | null }[];
    total: number;
  };
}

describe('GET /api/v1/mail-accounts filtering', () => {
  it('lists every account, invalid ones included by default', async () => {
    expect((await list('limit=1')).total).toBe(300);
  });

  it('excludes invalid accounts on request', async () => {
    const page = await list('includeInvalid=false&limit=500');
    expect(page.total).toBe(300 - 43);
    expect(page.items.every((a) => a.validity === 'valid')).toBe(true);
  });

  it('matches the host case-insensitively', async () => {
    const page = await list('q=MAIL3.EXAMPLE&limit=500');
    expect(page.total).toBe(30);
    expect(page.items.every((a) => a.host === 'mail3.example.com')).toBe(true);
  });

  it('matches the user name', async () => {
    const page = await list('q=agent12');
    expect(page.items.map((a) => a.username).sort()).toEqual([
      'agent120',
      'agent121',
      'agent122',
      'agent123',
      'agent124',
      'agent125',
      'agent126',
      'agent127',
      'agent128',
      'agent129',
    ]);
  });

  it('matches the type', async () => {
    const page = await list('q=pop3tls&limit=500');
    expect(page.total).toBe(50);
    expect(new Set(page.items.map((a) => a.type))).toEqual(new Set(['POP3TLS']));
  });

  it('matches the comment and combines with includeInvalid', async () => {
    expect((await list('q=nordic&limit=500')).total).toBe(30);
    const validOnly = await list('q=nordic&includeInvalid=false&limit=500');
    expect(validOnly.total).toBe(30 - 5); // i = 0, 70, 140, 210, 280 are invalid
  });

  it('sorts by host, then user name, and pages without gaps or repeats', async () => {
    const all = (await list('limit=500')).items.map((a) => `${a.host}/${a.username}`);
    expect(all).toEqual([...all].sort());
    const pages: string[] = [];
    for (let offset = 0; offset < 300; offset += 50)
      pages.push(...(await list(`limit=50&offset=${offset}`)).items.map((a) => `${a.host}/${a.username}`));
    expect(pages).toEqual(all);
  });

  it('rejects bad list parameters', async () => {
    for (const q of [
      'limit=0',
      'limit=501',
      'offset=-1',
      'includeInvalid=maybe',
      'q=' + 'x'.repeat(201),
      'sort=host',
    ]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/mail-accounts?${q}`, headers: t.auth });
      expect(res.statusCode, q).toBe(400);
    }
  });
});

describe('list consistency across API processes', () => {
  it('shows a change made through another API instance in the very next list', async () => {
    const other = testApiDeps(t.ctx.config, createLogger({ level: 'silent' }));
    try {
      expect((await list('q=replica-made')).total).toBe(0); // warms this instance's directory
      const created = await other.services.accounts.create(
        { type: 'IMAP', host: 'replica-made.example.com', username: 'r', password: 'p' },
        'other',
      );
      expect((await list('q=replica-made')).items.map((a) => a.host)).toEqual(['replica-made.example.com']);
      await other.services.accounts.update(created.id, { validity: 'invalid' }, 'other');
      expect((await list('q=replica-made&includeInvalid=false')).total).toBe(0);
      await other.services.accounts.remove(created.id, 'other');
      expect((await list('q=replica-made')).total).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('answers from PostgreSQL, with the same results, when Redis is unreachable', async () => {
    const config = loadConfig({ ...t.ctx.env, REDIS_URL: 'redis://127.0.0.1:1' });
    const deps = testApiDeps(config, createLogger({ level: 'silent' }));
    const app = await buildApp(deps);
    try {
      for (const q of [
        'q=mail3.example&limit=500',
        'q=pop3tls&includeInvalid=false&limit=500',
        'limit=50&offset=100',
      ]) {
        const viaSql = await app.inject({ method: 'GET', url: `/api/v1/mail-accounts?${q}`, headers: t.auth });
        expect(viaSql.statusCode).toBe(200);
        const viaDirectory = await list(q);
        expect(viaSql.json().total).toBe(viaDirectory.total);
        expect(viaSql.json().items.map((a: { username: string }) => a.username)).toEqual(
          viaDirectory.items.map((a) => a.username),
        );
      }
    } finally {
      await app.close();
      await deps.close();
    }
  });
});
