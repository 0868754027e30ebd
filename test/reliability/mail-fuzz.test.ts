import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRoutingTable, dispatchMessage } from '@mailduct/core/dispatch';
import { decide } from '@mailduct/core/fetch';
import { MessageHeaders, summarizeHeaders } from '@mailduct/core/headers';
import { parseFullMessage } from '@mailduct/core/messages';
import { storableStrings } from '@mailduct/core/text';
import { CORPUS } from '../helpers/corpus.js';

// A small, seeded PRNG (mulberry32): every run mutates the same way, failures reproduce.
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seeds = readdirSync(CORPUS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(CORPUS, d.name)).map((f) => join(CORPUS, d.name, f)))
  .filter((_, i) => i % 4 === 0)
  .map((f) => readFileSync(f));

const table = buildRoutingTable(
  [
    { id: 1, name: 'Postmaster', valid: true },
    { id: 2, name: 'Raw', valid: true },
  ],
  [{ address: 'support@example.com', queueId: 1, valid: true }],
  'Raw',
);

type Mutation = (b: Buffer, r: () => number) => Buffer;
const pick = <T>(r: () => number, list: readonly T[]) => list[Math.floor(r() * list.length)]!;

const MUTATIONS: Record<string, Mutation> = {
  flipBytes: (b, r) => {
    const c = Buffer.from(b);
    for (let i = 0; i < 1 + r() * 20; i++) c[Math.floor(r() * c.length)] = Math.floor(r() * 256);
    return c;
  },
  nulBytes: (b, r) => {
    const at = Math.floor(r() * b.length);
    return Buffer.concat([b.subarray(0, at), Buffer.alloc(1 + Math.floor(r() * 50)), b.subarray(at)]);
  },
  truncate: (b, r) => b.subarray(0, Math.floor(r() * b.length)),
  duplicateHeaders: (b, r) =>
    Buffer.concat([Buffer.from(`To: ${'a@b.c, '.repeat(Math.floor(r() * 500))}x@y.z\r\n`.repeat(20)), b]),
  encodedWordGarbage: (b, r) =>
    Buffer.concat([
      Buffer.from(
        `Subject: =?${pick(r, ['UTF-8', 'x-unknown', 'ISO-2022-JP', ''])}?${pick(r, ['B', 'Q', 'Z'])}?${'=%FF=00=?'.repeat(100)}?=\r\nFrom: =?UTF-8?B?${'////'.repeat(50)}?= <a@b>\r\n`,
      ),
      b,
    ]),
  brokenBoundary: (b) =>
    Buffer.from(
      b
        .toString('latin1')
        .replace(/boundary="?[^";\r\n]+"?/gi, 'boundary=""')
        .replace(/--[A-Za-z0-9'()+_,./:=?-]{6,}/g, '--'),
      'latin1',
    ),
  tenThousandHeaders: (b) =>
    Buffer.concat([Buffer.from(Array.from({ length: 10_000 }, (_, i) => `X-Fuzz-${i}: ${i}\r\n`).join('')), b]),
  megabyteHeaderLine: (b) => Buffer.concat([Buffer.from(`Subject: ${'A'.repeat(1024 * 1024)}\r\n`), b]),
  otoboHeaders: (b, r) =>
    Buffer.concat([
      Buffer.from(
        `X-OTOBO-Queue: ${pick(r, ['Raw', '', 'Nope', '\u0000', 'Ra\tw'])}\r\nX-OTOBO-Ignore: ${pick(r, ['yes', 'YES', 'maybe'])}\r\nx-otobo-DynamicField-${'x'.repeat(300)}: v\r\n`,
      ),
      b,
    ]),
  deepMultipart: () => {
    let body = 'leaf\r\n';
    for (let i = 0; i < 200; i++)
      body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}--b${i}--\r\n`;
    return Buffer.from(`From: a@b\r\nTo: support@example.com\r\n${body}`);
  },
  onlyGarbage: (_b, r) => Buffer.from(Array.from({ length: 2000 }, () => Math.floor(r() * 256))),
};

describe('mail fuzzer through header parse and dispatch', () => {
  it('never throws and never takes long, whatever the bytes', () => {
    const r = prng(20261125);
    let runs = 0;
    let slowest = 0;
    for (const seed of seeds) {
      for (const [name, mutate] of Object.entries(MUTATIONS)) {
        const raw = mutate(seed, r);
        const started = performance.now();
        // The parts directly: an exception here would be a bug even though decide() would catch it.
        const headers = MessageHeaders.fromRaw(raw);
        summarizeHeaders(headers);
        dispatchMessage(headers, { trusted: r() < 0.5, dispatch: { by: 'to' } }, table);
        const outcome = decide(raw, { trusted: true, dispatch: { by: 'to' } }, table);
        expect(['dispatched', 'ignored', 'quarantined'], name).toContain(outcome.status);
        // Storable as it is: nothing PostgreSQL refuses in text or jsonb is left for the store to trip on.
        expect(storableStrings(outcome), name).toBe(outcome);
        if (outcome.status === 'quarantined')
          expect(outcome.error, name).toMatch(/^(empty message|no header fields found)$/);
        slowest = Math.max(slowest, performance.now() - started);
        runs++;
      }
    }
    // A bound against catastrophic backtracking or quadratic loops, not a speed target.
    expect(slowest).toBeLessThan(2000);
    console.info(`mail-fuzz: ${runs} mutated messages through parse and dispatch, slowest ${slowest.toFixed(1)} ms`);
  });

  it('the full MIME parse (GET /messages/:id/parsed) survives the same mutations', async () => {
    const r = prng(7);
    let runs = 0;
    for (const seed of seeds.slice(0, 25)) {
      for (const mutate of Object.values(MUTATIONS)) {
        const parsed = await parseFullMessage(mutate(seed, r));
        expect(Array.isArray(parsed.attachments)).toBe(true);
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(200);
  });
});
