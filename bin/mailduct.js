#!/usr/bin/env node
// The `mailduct` command: loads .env from the project root, then runs the compiled CLI.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'apps', 'cli', 'dist', 'index.js');
if (!existsSync(cli)) {
  console.error('mailduct is not built yet: run `npm run build` (or `npm start`, which builds it) first.');
  process.exit(1);
}
const dotenv = await import('dotenv');
dotenv.config({ path: join(root, '.env'), quiet: true });
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
