import { writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccountService, type AccountInput, type AccountType } from '@mailduct/core/accounts';
import { SecretBox } from '@mailduct/core/crypto';
import type { FetchServiceDeps } from '@mailduct/core/fetch';
import type { TicketPayloadV1 } from '@mailduct/core/jobs';
import { createLogger } from '@mailduct/core/log';
import { createTestContext, type TestContext } from './context.js';
import type { Dovecot } from './dovecot.js';
import { ROOT } from './cli.js';
import { testFetchRuntime, type TestFetchRuntime } from './runtime.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const schema = JSON.parse(readFileSync(join(ROOT, 'packages', 'core', 'schemas', 'ticket-dispatched.v1.json'), 'utf8'));
const validatePayload = addFormats(new Ajv2020({ allErrors: true, strict: false })).compile(schema);

/** A fetch test's world: its database and Redis prefix, a FetchService, an AccountService, a Dovecot. */
export interface FetchWorld {
  ctx: TestContext;
  runtime: TestFetchRuntime;
  accounts: AccountService;
  dovecot: Dovecot;
  /** Create an account for a Dovecot user (type's port, tlsVerify off unless said otherwise). */
  account(type: AccountType, user: string, extra?: Partial<AccountInput>): Promise<number>;
  /** Seed every Dovecot user with `perUser` messages and give each an account, IMAP and POP3 alternating; the account ids. */
  seedEveryUser(perUser: number, size: number, prefix: string): Promise<number[]>;
  /** Every ticket job in Redis, payloads checked against the published JSON Schema. */
  tickets(): Promise<{ id: string; name: string; data: TicketPayloadV1 }[]>;
  /** Inbound message rows (no bytes). */
  messages(accountId?: number): Promise<
    {
      id: number;
      status: string;
      queueId: number | null;
      sha256: string;
      subject: string | null;
      error: string | null;
    }[]
  >;
  close(): Promise<void>;
}

/** `prepare` runs on the new database before anything connects to it (e.g. to set its TimeZone). */
export async function createFetchWorld(
  dovecot: Dovecot,
  overrides: Partial<FetchServiceDeps> = {},
  env: NodeJS.ProcessEnv = {},
  prepare?: (ctx: TestContext) => Promise<void>,
): Promise<FetchWorld> {
  const caFile = join(dovecot.dir, 'ssl', 'cert.pem');
  writeFileSync(caFile, dovecot.ca);
  const ctx = await createTestContext(env);
  await prepare?.(ctx);
  const runtime = testFetchRuntime(ctx.config, createLogger({ level: 'silent' }), overrides);
  const accounts = new AccountService({
    prisma: runtime.prisma,
    secrets: new SecretBox(ctx.config.secretKey),
    defaults: { pollIntervalSeconds: 600 },
  });
  const world: FetchWorld = {
    ctx,
    runtime,
    accounts,
    dovecot,
    async account(type, user, extra = {}) {
      const port = {
        IMAP: dovecot.imapPort,
        IMAPS: dovecot.imapsPort,
        IMAPTLS: dovecot.imapPort,
        POP3: dovecot.pop3Port,
        POP3S: dovecot.pop3sPort,
        POP3TLS: dovecot.pop3Port,
      }[type];
      const view = await accounts.create(
        { type, host: 'localhost', port, username: user, password: dovecot.password, tlsVerify: false, ...extra },
        'test',
      );
      return view.id;
    },
    async seedEveryUser(perUser, size, prefix) {
      const ids: number[] = [];
      for (const [i, user] of dovecot.users.entries()) {
        await dovecot.seed(user, perUser, size, { prefix: `${prefix}-${i}` });
        ids.push(await world.account(i % 2 ? 'POP3' : 'IMAP', user));
      }
      return ids;
    },
    async tickets() {
      const jobs = await runtime.queues.tickets.getJobs([
        'waiting',
        'active',
        'delayed',
        'completed',
        'failed',
        'prioritized',
      ]);
      return jobs.map((j) => {
        if (!validatePayload(j.data))
          throw new Error(`ticket ${j.id} does not match the schema: ${JSON.stringify(validatePayload.errors)}`);
        return { id: j.id!, name: j.name, data: j.data as TicketPayloadV1 };
      });
    },
    async messages(accountId) {
      const rows = await runtime.prisma.inboundMessage.findMany({
        where: accountId ? { accountId } : {},
        orderBy: { id: 'asc' },
        select: { id: true, status: true, queueId: true, sha256: true, subject: true, error: true },
      });
      return rows.map((r) => ({ ...r, id: Number(r.id) }));
    },
    async close() {
      await runtime.close();
      await ctx.drop();
    },
  };
  return world;
}
