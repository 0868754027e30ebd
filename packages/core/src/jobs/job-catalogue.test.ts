import { describe, expect, it } from 'vitest';
import {
  messageIdOfTicketJob,
  parseFetchJobData,
  parseWebhookJobData,
  ticketJobId,
  webhookJobId,
} from './job-catalogue.js';

describe('parseFetchJobData', () => {
  it('takes a fetch job as the scheduler, fetch-now and the CLI add it', () => {
    expect(parseFetchJobData({ accountId: 7, trigger: 'schedule' })).toEqual({ accountId: 7, trigger: 'schedule' });
    expect(parseFetchJobData({ accountId: 7, trigger: 'manual', limit: 15 })).toEqual({
      accountId: 7,
      trigger: 'manual',
      limit: 15,
    });
  });

  it('drops what a fetch job does not carry', () => {
    expect(parseFetchJobData({ accountId: 7, trigger: 'cli', password: 'x' })).toEqual({
      accountId: 7,
      trigger: 'cli',
    });
  });

  it.each([
    [null, /accountId must be a positive integer; trigger must be one of/],
    [{ accountId: '7', trigger: 'schedule' }, /accountId must be a positive integer/],
    [{ accountId: 0, trigger: 'schedule' }, /accountId must be a positive integer/],
    [{ accountId: 7, trigger: 'webhook' }, /trigger must be one of schedule, manual, cli/],
    [{ accountId: 7, trigger: 'manual', limit: -1 }, /limit must be a positive integer/],
  ])('refuses %j, naming the field', (data, message) => {
    expect(() => parseFetchJobData(data)).toThrow(message);
  });
});

describe('ticket job ids', () => {
  it('map a message id to a job id BullMQ accepts and back', () => {
    expect(ticketJobId(42)).toBe('msg-42');
    expect(messageIdOfTicketJob(ticketJobId(42))).toBe(42);
    expect(messageIdOfTicketJob('manual-1-2')).toBeNull();
    expect(messageIdOfTicketJob(`msg-${'9'.repeat(40)}`)).toBeNull();
  });
});

describe('webhook jobs', () => {
  it('carry a delivery id as text, with the attempt in the job id', () => {
    expect(parseWebhookJobData({ deliveryId: '12', url: 'x' })).toEqual({ deliveryId: '12' });
    expect(webhookJobId(12n, 3)).toBe('wd-12-3');
  });

  it.each([null, {}, { deliveryId: 12 }, { deliveryId: '0' }, { deliveryId: '1e3' }, { deliveryId: '9'.repeat(20) }])(
    'refuses %j, naming the field',
    (data) => expect(() => parseWebhookJobData(data)).toThrow(/deliveryId must be a positive integer/),
  );
});
