import { describe, expect, it } from 'vitest';
import { buildRoutingTable } from '../dispatch/index.js';
import { decide } from './store-and-dispatch.js';

// Header values built to make a backtracking parser take quadratic time or worse. Each mail holds
// about 4 MiB of headers (the most that is parsed); before the parsers were made linear, a value of
// 40,000 spaces took seconds, and these would take hours.
const table = buildRoutingTable(
  [
    { id: 1, name: 'Raw', valid: true },
    { id: 2, name: 'Support', valid: true },
  ],
  [{ address: 'support@desk.example', queueId: 2, valid: true }],
  'Raw',
);
const MiB = 1024 * 1024;
const run = (s: string, bytes = 4 * MiB) => s.repeat(Math.ceil(bytes / s.length)).slice(0, bytes);

const HOSTILE: Record<string, string> = {
  'spaces after Ticket#': `Subject: Ticket#${run(' ')}x`,
  'many Ticket# with spaces and colons': `Subject: ${run('Ticket# :  ')}`,
  'nested parentheses in Date': `Date: ${run('(')}`,
  'comments in Date, never closed': `Date: Mon, 1 Jan 2024 ${run('(x ')}`,
  'a display name of spaces without an address': `To: a${run(' ')}b`,
  'spaces before an unclosed bracket': `To: ${run(' ')}<x`,
  'nested comments around an address': `To: ${run('(')}support@desk.example`,
  '100,000 recipients': `To: ${Array.from({ length: 100_000 }, (_, i) => `"User ${i}" <user${i}@example.com>`).join(', ')}`,
  'folded whitespace, 1,000,000 continuation lines': `To: a@b.example\r\n${run('\t \r\n')}`,
  'broken encoded words': `Subject: ${run('=?')}`,
  'valid encoded words': `Subject: ${run('=?utf-8?q?a?= ')}`,
  'unclosed message ids': `References: ${run('<')}`,
  'X-OTOBO values of spaces': `X-OTOBO-Loop: no${run(' ')}x\r\nX-OTOBO-Queue: ${run(' ')}`,
};

function mail(headers: string): Buffer {
  return Buffer.from(`From: customer@example.com\r\n${headers}\r\nMessage-ID: <m@example.com>\r\n\r\nbody\r\n`);
}

describe('hostile header values', () => {
  it.each(Object.entries(HOSTILE))('%s: dispatched in under a second', (_name, headers) => {
    const raw = mail(headers);
    const started = performance.now();
    const verdict = decide(raw, { trusted: true, dispatch: { by: 'to' } }, table);
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(1000);
    expect(['dispatched', 'quarantined', 'ignored']).toContain(verdict.status);
  });

  it('all of them in one mail of 4 MiB of headers: dispatched in under a second', () => {
    const parts = Object.values(HOSTILE).map((h) => h.slice(0, Math.floor((4 * MiB) / Object.keys(HOSTILE).length)));
    const raw = mail(parts.join('\r\n'));
    const started = performance.now();
    decide(raw, { trusted: true, dispatch: { by: 'to' } }, table);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('still finds the system address and ticket number in an ordinary mail', () => {
    const verdict = decide(
      mail(
        'To: "Support Desk" <support@desk.example>\r\nSubject: RE: [Ticket#: 2024010110000011] printer\r\nDate: Mon, 1 Jan 2024 10:00:00 +0100 (CET)',
      ),
      { trusted: false, dispatch: { by: 'to' } },
      table,
    );
    expect(verdict).toMatchObject({
      status: 'dispatched',
      decision: { queue: { id: 2 }, followUp: { ticketNumbers: ['2024010110000011'] } },
      summary: { date: '2024-01-01T09:00:00.000Z' },
    });
  });
});
