// Prisma 6.19 CLI configuration: the schema engine runs as wasm through the pg driver adapter, so
// `prisma generate` and `prisma migrate` work offline (no engine download). The adapter wrappers
// work around adapter-pg bugs that only bite the migration engine:
// 1. prisma/orm#27403: `name` (19) and `"char"` (18) columns cannot be decoded -> report them as text;
// 2. the shadow database must be connected with discrete fields (a connection string would win);
// 3. the shadow database is dropped after its pool is closed, WITH (FORCE);
// 4. the wasm engine arms a 10 s timer that keeps the CLI alive -> long timers are unref'd.
import 'dotenv/config';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/mailduct';

function pgConfig() {
  const url = new URL(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1),
    idleTimeoutMillis: 200,
  };
}

type Performer = { performIO: (q: unknown) => Promise<unknown>; __nameTypePatched?: boolean };
type FieldList = { fields?: { dataTypeID: number }[] };

function patchPerformIO(adapter: object) {
  let proto = Object.getPrototypeOf(adapter) as Performer | null;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'performIO')) proto = Object.getPrototypeOf(proto);
  if (!proto || proto.__nameTypePatched) return;
  const original = proto.performIO;
  proto.performIO = async function (this: unknown, query: unknown) {
    const result = await original.call(this, query);
    for (const r of (Array.isArray(result) ? result : [result]) as FieldList[])
      for (const f of r?.fields ?? []) if (f.dataTypeID === 19 || f.dataTypeID === 18) f.dataTypeID = 25;
    return result;
  };
  proto.__nameTypePatched = true;
}

class MigratePg extends PrismaPg {
  async connect() {
    const adapter = await super.connect();
    patchPerformIO(adapter);
    return adapter;
  }
  async connectToShadowDb() {
    const cfg = pgConfig();
    const database = `prisma_shadow_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new pg.Client({ ...cfg, database: 'postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const shadow = await new PrismaPg({ ...cfg, database }).connect();
    patchPerformIO(shadow);
    const dispose = shadow.dispose.bind(shadow);
    Object.assign(shadow, {
      dispose: async () => {
        await dispose();
        const c = new pg.Client({ ...cfg, database: 'postgres' });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        await c.end();
      },
    });
    return shadow;
  }
}

const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
  const timer = realSetTimeout(fn, ms, ...rest);
  if ((ms ?? 0) >= 5000) timer.unref?.();
  return timer;
}) as typeof setTimeout;

if (!process.env.DATABASE_URL) process.env.DATABASE_URL = DEFAULT_DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new MigratePg(pgConfig()),
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
