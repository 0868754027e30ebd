import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '@mailduct/core/auth';
import { createPrisma } from '@mailduct/core/db';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { adminQuery } from '../helpers/services.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx?.drop());

describe('mailduct CLI', () => {
  it('prints usage and exits 2 for an unknown command or flag', async () => {
    const unknown = await runCli(['frobnicate'], ctx.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"[\s\S]*Usage: mailduct/);
    const badFlag = await runCli(['start', '--turbo'], ctx.env);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('--turbo');
    const wrongCommandFlag = await runCli(['migrate', '--name', 'x'], ctx.env);
    expect(wrongCommandFlag.code).toBe(2);
    expect((await runCli([], ctx.env)).code).toBe(2);
    expect((await runCli(['help'], ctx.env)).code).toBe(0);
  });

  it('names a missing or bad setting and exits 1', async () => {
    const { MAILDUCT_SECRET_KEY: _omit, ...withoutKey } = ctx.env;
    const res = await runCli(['migrate'], { ...withoutKey, PORT: 'eighty' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('MAILDUCT_SECRET_KEY: ');
    expect(res.stderr).toContain('PORT: ');
  });

  it('migrate creates a missing database and is idempotent', async () => {
    const name = `mailduct_cli_${randomUUID().slice(0, 8)}`;
    const url = new URL(ctx.databaseUrl);
    url.pathname = `/${name}`;
    try {
      const first = await runCli(['migrate'], { ...ctx.env, DATABASE_URL: url.toString() });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain(`created database ${name}`);
      const second = await runCli(['migrate'], { ...ctx.env, DATABASE_URL: url.toString() });
      expect(second.code).toBe(0);
      expect(second.stdout).not.toContain('created database');
      const prisma = createPrisma(url.toString());
      expect((await prisma.queue.findMany({ orderBy: { id: 'asc' } })).map((q) => q.name)).toEqual([
        'Postmaster',
        'Raw',
        'Junk',
        'Misc',
      ]);
      await prisma.$disconnect();
    } finally {
      await adminQuery(ctx.databaseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  });

  it('token create prints a working token once; a second token of that name is refused', async () => {
    const res = await runCli(['token', 'create', '--name', 'ci-bot'], ctx.env);
    expect(res.code, res.stderr).toBe(0);
    const token = res.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^md_[A-Za-z0-9_-]{40,}$/);
    const prisma = createPrisma(ctx.databaseUrl);
    expect(await new TokenService(prisma, undefined).verify(token)).toMatchObject({ name: 'ci-bot', role: 'admin' });
    const viewer = await runCli(['token', 'create', '--name', 'viewer', '--role', 'read-only'], ctx.env);
    expect(viewer.stdout).toContain('(read-only)');
    expect(await new TokenService(prisma, undefined).verify(viewer.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      name: 'viewer',
      role: 'read-only',
    });
    expect((await runCli(['token', 'create', '--name', 'x', '--role', 'root'], ctx.env)).code).toBe(2);
    await prisma.$disconnect();
    const again = await runCli(['token', 'create', '--name', 'ci-bot'], ctx.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect((await runCli(['token', 'create'], ctx.env)).code).toBe(2);
  });

  it('keys rotate reports what it re-encrypted', async () => {
    const res = await runCli(['keys', 'rotate'], ctx.env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Re-encrypted 0 of 0 stored secrets/);
  });

  it('start --api serves until SIGTERM, then exits 0', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawnCli(['start', '--api'], { ...ctx.env, PORT: String(port), LOG_LEVEL: 'info' });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    for (let i = 0; i < 100 && !output.includes('mailduct started'); i++) await new Promise((r) => setTimeout(r, 100));
    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(live.status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
