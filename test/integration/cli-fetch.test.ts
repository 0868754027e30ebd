import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountService } from '@mailduct/core/accounts';
import { SecretBox } from '@mailduct/core/crypto';
import { createPrisma, type PrismaClient } from '@mailduct/core/db';
import { AccountLocks } from '@mailduct/core/lock';
import { createRedis } from '@mailduct/core/redis';
import { runCli } from '../helpers/cli.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';

let ctx: TestContext;
let dc: Dovecot;
let prisma: PrismaClient;
let accounts: AccountService;
let silent: Server;
beforeAll(async () => {
  [ctx, dc] = await Promise.all([createTestContext(), startDovecot({ users: 7 })]);
  prisma = createPrisma(ctx.databaseUrl);
  accounts = new AccountService({
    prisma,
    secrets: new SecretBox(ctx.config.secretKey),
    defaults: { pollIntervalSeconds: 600 },
  });
  silent = createServer(() => {}).listen(0, '127.0.0.1'); // accepts and never greets
});
afterAll(async () => {
  silent?.close();
  await prisma?.$disconnect();
  await ctx?.drop();
  await dc?.stop();
});

const create = (user: string, extra: object = {}) =>
  accounts.create(
    { type: 'POP3', host: '127.0.0.1', port: dc.pop3Port, username: user, password: dc.password, ...extra },
    'test',
  );

describe('mailduct fetch', () => {
  it('says so when there are no valid accounts, and exits 0', async () => {
    const res = await runCli(['fetch'], ctx.env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('No configured mail accounts found!');
  });

  it('fetches every valid account, one line each, and exits 1 when one failed', async () => {
    await dc.seed(dc.users[0]!, 3, 1000);
    const good = await create(dc.users[0]!);
    const bad = await create(dc.users[1]!, { password: 'wrong-password-123' });
    const skippedInvalid = await create(dc.users[2]!, { validity: 'invalid' });
    const res = await runCli(['fetch'], ctx.env);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('127.0.0.1 (POP3)... fetched 3, ignored 0, quarantined 0, oversized 0');
    expect(res.stdout).toMatch(/127\.0\.0\.1 \(POP3\)\.\.\. failed \(auth\): login refused/);
    expect(res.stdout + res.stderr).not.toContain('wrong-password-123');
    expect(dc.count(dc.users[0]!)).toBe(0);
    expect(await prisma.fetchRun.count({ where: { accountId: skippedInvalid.id } })).toBe(0);
    await accounts.update(bad.id, { validity: 'invalid' }, 'test');
    await accounts.update(good.id, { validity: 'invalid' }, 'test');
  });

  it('names a missing account, refuses a non-valid one without --force', async () => {
    const missing = await runCli(['fetch', '--account-id', '99999'], ctx.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Could not find mail account 99999.');
    await dc.seed(dc.users[3]!, 2, 1000);
    const invalid = await create(dc.users[3]!, { validity: 'invalid-temporarily' });
    const refused = await runCli(['fetch', '--account-id', String(invalid.id)], ctx.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not valid \(invalid-temporarily\); use --force/);
    const forced = await runCli(['fetch', '--account-id', String(invalid.id), '--force', '--limit', '1'], ctx.env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('fetched 1,');
    expect(dc.count(dc.users[3]!)).toBe(1);
  });

  it('counts an account locked by another process as skipped, not failed', async () => {
    const a = await create(dc.users[4]!);
    const redis = createRedis(ctx.config.redisUrl);
    const lock = await new AccountLocks(redis, ctx.config.queuePrefix, 30_000).acquire(a.id);
    try {
      const res = await runCli(['fetch', '--account-id', String(a.id)], ctx.env);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`account ${a.id} is being fetched by another process`);
    } finally {
      await lock!.release();
      redis.disconnect();
      await accounts.update(a.id, { validity: 'invalid' }, 'test');
    }
  });

  it('--debug prints the protocol conversation with the password masked', async () => {
    await dc.seed(dc.users[5]!, 1, 1000);
    const a = await create(dc.users[5]!);
    const res = await runCli(['fetch', '--account-id', String(a.id), '--debug'], ctx.env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('C: USER user6');
    expect(res.stderr).toContain('C: PASS ********');
    expect(res.stderr).toContain('C: QUIT');
    expect(res.stdout + res.stderr).not.toContain(`PASS ${dc.password}`);
    await accounts.update(a.id, { validity: 'invalid' }, 'test');
  });

  it('--debug masks the password of an IMAP login too, also inside AUTHENTICATE PLAIN', async () => {
    const user = dc.users[6]!;
    await dc.seed(user, 1, 1000);
    const a = await create(user, { type: 'IMAP', port: dc.imapPort, imapFolder: 'INBOX' });
    const res = await runCli(['fetch', '--account-id', String(a.id), '--debug'], ctx.env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/C: \S+ (AUTHENTICATE PLAIN|LOGIN )/);
    expect(res.stderr).toMatch(/C: \S+ SELECT INBOX/);
    expect(res.stderr).toMatch(/C: \S+ UID EXPUNGE/);
    const output = res.stdout + res.stderr;
    expect(output).not.toContain(dc.password);
    expect(output).not.toContain(Buffer.from(`\u0000${user}\u0000${dc.password}`).toString('base64'));
    expect(output).not.toContain(Buffer.from(dc.password).toString('base64'));
    await accounts.update(a.id, { validity: 'invalid' }, 'test');
  });

  it('--timeout stops a run against a server that never answers', async () => {
    const port = (silent.address() as { port: number }).port;
    const a = await accounts.create({ type: 'IMAP', host: '127.0.0.1', port, username: 'x', password: 'y' }, 'test');
    const started = Date.now();
    const res = await runCli(['fetch', '--account-id', String(a.id), '--timeout', '1'], ctx.env);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/failed \(timeout\): stopped early: timeout of 1 seconds reached/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('rejects bad numbers as usage errors', async () => {
    for (const args of [
      ['fetch', '--limit', '0'],
      ['fetch', '--account-id', 'abc'],
      ['fetch', '--timeout', '-5'],
      ['fetch', 'now'],
    ]) {
      expect((await runCli(args, ctx.env)).code, args.join(' ')).toBe(2);
    }
  });
});
