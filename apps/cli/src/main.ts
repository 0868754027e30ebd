import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '@mailduct/core/config';
import { isMailductError } from '@mailduct/core/errors';
import { USAGE, UsageError } from './usage.js';

/** Console output, replaceable in tests. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

const OPTIONS = {
  api: { type: 'boolean' },
  scheduler: { type: 'boolean' },
  fetcher: { type: 'boolean' },
  webhooks: { type: 'boolean' },
  name: { type: 'string' },
  'account-id': { type: 'string' },
  limit: { type: 'string' },
  timeout: { type: 'string' },
  debug: { type: 'boolean' },
  force: { type: 'boolean' },
  role: { type: 'string' },
  device: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Allowed options per command; anything else is a usage error. */
const ALLOWED: Record<string, string[]> = {
  start: ['api', 'scheduler', 'fetcher', 'webhooks'],
  migrate: [],
  fetch: ['account-id', 'limit', 'timeout', 'debug', 'force'],
  token: ['name', 'role'],
  keys: [],
  oauth2: ['account-id', 'device'],
};

/** Run the CLI; resolves to the process exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[], io: Io = consoleIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    return usage(io, (err as Error).message);
  }
  const [command, ...rest] = parsed.positionals;
  if (!command || command === 'help' || parsed.values.help) {
    io.out(USAGE);
    return command || parsed.values.help ? 0 : 2;
  }
  const allowed = ALLOWED[command];
  if (!allowed) return usage(io, `unknown command "${command}"`);
  const extra = Object.keys(parsed.values).filter((k) => !allowed.includes(k));
  if (extra.length > 0) return usage(io, `${command} does not take --${extra.join(', --')}`);
  let config: Readonly<Config>;
  try {
    config = loadConfig(env);
  } catch (err) {
    io.err((err as Error).message);
    return 1;
  }
  try {
    return await run(command, rest, parsed.values, config, io);
  } catch (err) {
    if (err instanceof UsageError) return usage(io, err.message);
    io.err(`mailduct ${command}: ${isMailductError(err) ? err.message : ((err as Error).message ?? String(err))}`);
    return 1;
  }
}

/**
 * Each command's module is loaded when it runs: `start` pulls in the API (Fastify, Bull Board, the
 * admin UI), which would add about a second to the start-up of `mailduct fetch`.
 */
async function run(
  command: string,
  rest: string[],
  values: Record<string, unknown>,
  config: Readonly<Config>,
  io: Io,
): Promise<number> {
  const out = (l: string) => io.out(l);
  switch (command) {
    case 'start': {
      if (rest.length > 0) throw new UsageError(`start takes no arguments (got ${rest.join(' ')})`);
      const { start } = await import('./commands/start.js');
      return start(config, values);
    }
    case 'migrate': {
      const { migrate } = await import('./commands/migrate.js');
      return migrate(config, out);
    }
    case 'token': {
      const { token } = await import('./commands/token.js');
      return token(
        config,
        rest[0],
        values.name as string | undefined,
        out,
        (values.role as string | undefined) ?? 'admin',
      );
    }
    case 'keys': {
      const { keys } = await import('./commands/keys.js');
      return keys(config, rest[0], out);
    }
    case 'oauth2': {
      const { oauth2Command } = await import('./commands/oauth2.js');
      return oauth2Command(config, rest[0], values, io);
    }
    case 'fetch': {
      if (rest.length > 0) throw new UsageError(`fetch takes no arguments (got ${rest.join(' ')})`);
      const { fetchCommand } = await import('./commands/fetch.js');
      return fetchCommand(config, values, io);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function usage(io: Io, problem: string): number {
  io.err(`mailduct: ${problem}\n`);
  io.err(USAGE);
  return 2;
}
