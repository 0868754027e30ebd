import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { spawnCli } from './cli.js';

/** A `mailduct start ...` child process whose output is collected. */
export interface Child {
  proc: ChildProcess;
  output: () => string;
  /** Send a signal and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Start `mailduct start <flags>` and wait until it logs "mailduct started" (unless `wait` is false). */
export async function startChild(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 20_000,
  wait = true,
): Promise<Child> {
  const proc = spawnCli(['start', ...args], {
    ...env,
    LOG_LEVEL: env.LOG_LEVEL === 'silent' || !env.LOG_LEVEL ? 'info' : env.LOG_LEVEL,
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const started = Date.now();
  while (wait && !out.includes('mailduct started')) {
    if (proc.exitCode !== null) throw new Error(`mailduct ${args.join(' ')} exited early:\n${out}`);
    if (Date.now() - started > timeoutMs) throw new Error(`mailduct ${args.join(' ')} did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const [code] = await once(proc, 'exit');
      return code as number | null;
    },
  };
}

/** Poll `check` every 100 ms until it returns true, or fail after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 60_000,
): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
