// Fetch one account and die by SIGKILL at one step of the pipeline: a real crash (no finally, no
// QUIT, no LOGOUT, the lock left to expire), for the crash-window tests of every after-fetch policy.
// Usage: node test/harness/fetch-and-die.mjs <accountId> <afterStore|afterEnqueue|beforeCommit>
// with the test's environment (DATABASE_URL, REDIS_URL, MAILDUCT_*). Runs the compiled packages.
import { loadConfig } from '@mailduct/core/config';
import { createInfrastructure } from '@mailduct/core/infrastructure';
import { createLogger } from '@mailduct/core/log';
import { createFetchRuntime } from '@mailduct/fetcher';

const [accountId, step] = process.argv.slice(2);
if (!['afterStore', 'afterEnqueue', 'beforeCommit'].includes(step ?? '')) {
  console.error('usage: fetch-and-die.mjs <accountId> <afterStore|afterEnqueue|beforeCommit>');
  process.exit(2);
}
const die = () => {
  process.kill(process.pid, 'SIGKILL');
  return new Promise(() => {});
};
const infra = createInfrastructure(loadConfig(process.env), { name: 'fetch-and-die' });
const runtime = createFetchRuntime(infra, createLogger({ level: 'silent' }), { hooks: { [step]: die } });
const outcome = await runtime.service.fetchAccount({ accountId: Number(accountId), trigger: 'manual' });
// Reaching this line means the step never came.
console.log(JSON.stringify({ survived: true, outcome: outcome.outcome, error: outcome.error }));
process.exit(3);
