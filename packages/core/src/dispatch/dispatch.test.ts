import { describe, expect, it } from 'vitest';
import { MessageHeaders } from '../headers/index.js';
import { dispatchMessage, RECIPIENT_HEADERS, type DispatchAccount } from './dispatch.js';
import { buildRoutingTable } from './routing-table.js';

const table = buildRoutingTable(
  [
    { id: 1, name: 'Postmaster', valid: true },
    { id: 2, name: 'Raw', valid: true },
    { id: 3, name: 'Junk', valid: true },
    { id: 4, name: 'Misc', valid: true },
    { id: 5, name: 'Sales', valid: true },
    { id: 6, name: 'Closed', valid: false },
  ],
  [
    { address: 'sales@example.com', queueId: 5, valid: true },
    { address: 'junk@example.com', queueId: 3, valid: true },
    { address: 'misc@example.com', queueId: 4, valid: true },
    { address: 'old@example.com', queueId: 4, valid: false },
  ],
  'Raw',
);

const byTo: DispatchAccount = { trusted: false, dispatch: { by: 'to' } };
const trustedByTo: DispatchAccount = { trusted: true, dispatch: { by: 'to' } };
const intoMisc: DispatchAccount = { trusted: false, dispatch: { by: 'queue', queueId: 4 } };

const mail = (headers: string, body = 'hello\r\n') =>
  MessageHeaders.fromRaw(Buffer.from(`${headers.trim().replace(/\n/g, '\r\n')}\r\n\r\n${body}`));
const run = (headers: string, account: DispatchAccount = byTo) => dispatchMessage(mail(headers), account, table);

describe(dispatchMessage.name, () => {
  describe('dispatch by queue', () => {
    it("puts every mail into the account's queue, whatever the recipients", () => {
      expect(run('To: sales@example.com', intoMisc)).toMatchObject({
        status: 'dispatched',
        queue: { id: 4, name: 'Misc' },
        by: 'queue',
        matchedAddress: null,
      });
    });
  });

  describe('dispatch by To:', () => {
    it('uses the queue of the system address in To', () => {
      expect(run('To: Sales Team <sales@example.com>')).toMatchObject({
        queue: { name: 'Sales' },
        by: 'to',
        matchedAddress: 'sales@example.com',
        header: 'To',
      });
    });

    it('falls back to the default queue "Raw" when no address matches', () => {
      expect(run('To: someone@else.example')).toMatchObject({ queue: { id: 2, name: 'Raw' }, by: 'default' });
    });

    it('falls back to the lowest queue id when the default queue does not exist', () => {
      const noRaw = { ...table, defaultQueueName: 'Nonexistent' };
      expect(dispatchMessage(mail('To: x@y.example'), byTo, noRaw)).toMatchObject({
        queue: { id: 1 },
        reason: expect.stringContaining('does not exist'),
      });
    });

    it.each(RECIPIENT_HEADERS.map((h, i) => [h, i] as const))('searches %s', (header) => {
      expect(run(`${header}: misc@example.com`)).toMatchObject({ queue: { name: 'Misc' }, header });
    });

    it('follows the header order Resent-To, Envelope-To, To, Cc, Delivered-To, X-Original-To', () => {
      const headers = [
        'X-Original-To: junk@example.com',
        'Delivered-To: junk@example.com',
        'Cc: junk@example.com',
        'To: misc@example.com',
        'Envelope-To: nobody@x.example',
        'Resent-To: sales@example.com',
      ];
      expect(run(headers.join('\n'))).toMatchObject({ queue: { name: 'Sales' }, header: 'Resent-To' });
      expect(run(headers.slice(0, 5).join('\n'))).toMatchObject({ queue: { name: 'Misc' }, header: 'To' });
      expect(run(headers.slice(0, 3).join('\n'))).toMatchObject({ queue: { name: 'Junk' }, header: 'Cc' });
      expect(run(headers.slice(0, 1).join('\n'))).toMatchObject({ queue: { name: 'Junk' }, header: 'X-Original-To' });
    });

    it('takes the first system address within a header', () => {
      expect(run('To: a@x.example, Misc <MISC@example.com>, sales@example.com')).toMatchObject({
        queue: { name: 'Misc' },
        matchedAddress: 'misc@example.com',
      });
    });

    it('compares addresses case-insensitively', () => {
      expect(run('To: SALES@Example.COM')).toMatchObject({ queue: { name: 'Sales' } });
    });

    it('ignores display names and comments that look like addresses', () => {
      expect(run('To: "sales@example.com" <other@x.example>')).toMatchObject({ by: 'default' });
      expect(run('To: other@x.example (sales@example.com)')).toMatchObject({ by: 'default' });
    });

    it('handles groups', () => {
      expect(run('To: Team: a@x.example, misc@example.com;')).toMatchObject({ queue: { name: 'Misc' } });
    });

    it('handles RFC 2047 encoded display names', () => {
      expect(run('To: =?UTF-8?B?VmVydHJpZWIgw5ZzdGVycmVpY2g=?= <sales@example.com>')).toMatchObject({
        queue: { name: 'Sales' },
      });
    });

    it('reads every header of the same name', () => {
      expect(run('To: a@x.example\nTo: misc@example.com')).toMatchObject({ queue: { name: 'Misc' } });
    });

    it('unfolds folded headers', () => {
      expect(run('To: a@x.example,\n  misc@example.com')).toMatchObject({ queue: { name: 'Misc' } });
    });

    it('ignores invalid system addresses', () => {
      expect(run('To: old@example.com')).toMatchObject({ by: 'default' });
    });

    it('matches header names case-insensitively', () => {
      expect(run('tO: misc@example.com')).toMatchObject({ queue: { name: 'Misc' } });
    });
  });

  describe('trusted accounts', () => {
    it('X-OTOBO-Queue naming a valid queue overrides dispatch by To:', () => {
      expect(run('To: sales@example.com\nX-OTOBO-Queue: Junk', trustedByTo)).toMatchObject({
        queue: { name: 'Junk' },
        by: 'x-otobo-queue',
      });
    });

    it("X-OTOBO-Queue overrides even the account's fixed queue", () => {
      expect(run('X-OTOBO-Queue: Sales', { trusted: true, dispatch: { by: 'queue', queueId: 4 } })).toMatchObject({
        queue: { name: 'Sales' },
      });
    });

    it('an X-OTOBO-Queue naming an unknown or invalid queue is ignored', () => {
      expect(run('To: sales@example.com\nX-OTOBO-Queue: Nope', trustedByTo)).toMatchObject({
        queue: { name: 'Sales' },
        reason: expect.stringContaining('ignored'),
      });
      expect(run('To: sales@example.com\nX-OTOBO-Queue: Closed', trustedByTo)).toMatchObject({
        queue: { name: 'Sales' },
      });
    });

    it('header names are case-insensitive', () => {
      expect(run('x-otobo-queue: Misc', trustedByTo)).toMatchObject({ queue: { name: 'Misc' } });
    });

    it.each(['yes', 'Yes', 'TRUE', 'true', 'yes please'])('X-OTOBO-Ignore: %s ignores the mail', (value) => {
      expect(run(`X-OTOBO-Ignore: ${value}`, trustedByTo).status).toBe('ignored');
    });

    it.each(['no', '0', 'false', ''])('X-OTOBO-Ignore: %j does not', (value) => {
      expect(run(`X-OTOBO-Ignore: ${value}`, trustedByTo).status).toBe('dispatched');
    });

    it('carries the other recognised X-OTOBO-* values as attributes', () => {
      const d = run(
        [
          'X-OTOBO-Priority: 5 very high',
          'X-OTOBO-State: open',
          'X-OTOBO-State-PendingTime: +2d',
          'X-OTOBO-Type: Incident',
          'X-OTOBO-Service: Mail',
          'X-OTOBO-SLA: Gold',
          'X-OTOBO-Title: =?UTF-8?Q?Dr=C3=BCcker?=',
          'X-OTOBO-Lock: lock',
          'X-OTOBO-CustomerNo: C-1',
          'X-OTOBO-CustomerUser: jdoe',
          'X-OTOBO-Owner: agent1',
          'X-OTOBO-ResponsibleID: 7',
          'X-OTOBO-SenderType: agent',
          'X-OTOBO-IsVisibleForCustomer: 0',
          'X-OTOBO-DynamicField-Contract: 42',
          'X-OTOBO-FollowUp-State: closed',
          'X-OTOBO-FollowUp-DynamicField-Contract: 43',
          'X-OTOBO-FollowUp-State-Keep: 1',
        ].join('\n'),
        trustedByTo,
      );
      expect(d.attributes).toEqual({
        Priority: '5 very high',
        State: 'open',
        'State-PendingTime': '+2d',
        Type: 'Incident',
        Service: 'Mail',
        SLA: 'Gold',
        Title: 'Drücker',
        Lock: 'lock',
        CustomerNo: 'C-1',
        CustomerUser: 'jdoe',
        Owner: 'agent1',
        ResponsibleID: '7',
        SenderType: 'agent',
        IsVisibleForCustomer: '0',
        'DynamicField-Contract': '42',
        'FollowUp-State': 'closed',
        'FollowUp-DynamicField-Contract': '43',
        'FollowUp-State-Keep': '1',
      });
    });

    it('ignores unknown X-OTOBO-* names and the internal Bounce headers', () => {
      expect(
        run('X-OTOBO-Frobnicate: 1\nX-OTOBO-Bounce: yes\nX-OTOBO-TicketKey1: legacy', trustedByTo).attributes,
      ).toEqual({});
    });

    it('the first of several equal headers wins', () => {
      expect(run('X-OTOBO-Priority: 1 very low\nX-OTOBO-Priority: 5 very high', trustedByTo).attributes.Priority).toBe(
        '1 very low',
      );
    });
  });

  describe('untrusted accounts', () => {
    it('ignore X-OTOBO-Queue and X-OTOBO-Ignore, and list what was stripped', () => {
      const d = run(
        'To: sales@example.com\nX-OTOBO-Queue: Junk\nX-OTOBO-Ignore: yes\nX-OTOBO-Priority: 5 very high\nX-OTOBOFOO: x',
      );
      expect(d).toMatchObject({ status: 'dispatched', queue: { name: 'Sales' }, by: 'to', attributes: {} });
      expect(d.strippedHeaders).toEqual(['X-OTOBO-Queue', 'X-OTOBO-Ignore', 'X-OTOBO-Priority', 'X-OTOBOFOO']);
    });

    it('do not take X-OTOBO-Loop from the mail', () => {
      expect(run('X-OTOBO-Loop: yes').loop).toEqual({ loop: false, reasons: [] });
    });
  });

  describe('loop flags', () => {
    it.each([
      'Precedence: bulk',
      'X-Loop: yes',
      'X-No-Loop: 1',
      'Mailing-List: list x@y',
      'Auto-Submitted: auto-replied',
      'Auto-Submitted: Auto-Generated',
    ])('%s is a loop', (header) => {
      expect(run(header).loop.loop).toBe(true);
    });

    it('Auto-Submitted: no is not a loop', () => {
      expect(run('Auto-Submitted: no').loop.loop).toBe(false);
    });

    it('a trusted X-OTOBO-Loop counts unless it says no/false', () => {
      expect(run('X-OTOBO-Loop: yes', trustedByTo).loop).toEqual({ loop: true, reasons: ['X-OTOBO-Loop'] });
      expect(run('X-OTOBO-Loop: false', trustedByTo).loop.loop).toBe(false);
    });
  });

  describe('follow-up hints', () => {
    it('extracts ticket numbers from the subject and message ids from In-Reply-To and References', () => {
      const d = run('Subject: RE: [Ticket#2024010110000011] printer\nIn-Reply-To: <a@x>\nReferences: <r1@x>\n <r2@x>');
      expect(d.followUp).toEqual({
        ticketNumbers: ['2024010110000011'],
        inReplyTo: '<a@x>',
        references: ['<r1@x>', '<r2@x>'],
      });
    });

    it('finds "Ticket#: N" and several numbers once each', () => {
      expect(run('Subject: Ticket#: 123456 and Ticket#123456, Ticket# 777777').followUp.ticketNumbers).toEqual([
        '123456',
        '777777',
      ]);
    });

    it('is empty for a new mail', () => {
      expect(run('Subject: hello').followUp).toEqual({ ticketNumbers: [], inReplyTo: null, references: [] });
    });
  });
});
