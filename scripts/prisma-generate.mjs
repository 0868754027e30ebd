#!/usr/bin/env node
// Runs `prisma generate`, then adds the type annotations the generated TypeScript lacks for
// declaration emit (prisma/orm#29549: TS4094 on DbNull/JsonNull/AnyNull with `declaration: true`,
// which project references need). Remove once Prisma ships the fix (prisma/orm#29665).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prisma = join(root, 'node_modules', 'prisma', 'build', 'index.js');
execFileSync(process.execPath, [prisma, 'generate'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { CHECKPOINT_DISABLE: '1', ...process.env },
});

const dir = join(root, 'packages', 'core', 'src', 'generated', 'prisma', 'internal');
for (const file of ['prismaNamespace.ts', 'prismaNamespaceBrowser.ts']) {
  const path = join(dir, file);
  const patched = readFileSync(path, 'utf8')
    .replace(
      /^export const (DbNull|JsonNull|AnyNull) = (runtime\.objectEnumValues\.instances\.\w+)$/gm,
      'export const $1: typeof $2 = $2',
    )
    .replace(/^(\s+\w+: )(DbNull|JsonNull|AnyNull)(,?)$/gm, '$1$2 as typeof $2$3');
  writeFileSync(path, patched);
}
console.log('Prisma client generated (packages/core/src/generated/prisma)');
