import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, signIn, type TestApi } from '../../helpers/api.js';

// Bad input to the admin UI's forms is a 4xx with a message, never a 500.
let t: TestApi;
let cookie: string;
let csrf: string;

beforeAll(async () => {
  t = await createTestApi();
  ({ cookie, csrf } = await signIn(t));
});
afterAll(async () => t?.close());

const formPost = (url: string, fields: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
  });

describe('sign-in with a token that is not a string', () => {
  it.each([
    ['an array', ['a', 'b']],
    ['an object', { token: 'x' }],
    ['a number', 1.2345678901234567e19],
    ['null', null],
    ['true', true],
  ])('%s: 4xx', async (_name, token) => {
    const res = await t.app.inject({ method: 'POST', url: '/login', payload: { token } });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
  });
});

describe('form posts with ids out of range', () => {
  const HUGE = '999999999999999';
  it.each([
    ['/queues/:id', `/queues/${HUGE}`, { name: 'Q' }],
    ['/queues/:id/delete', `/queues/${HUGE}/delete`, {}],
    ['/system-addresses/:id', `/system-addresses/${HUGE}`, { address: 'a@b.example', queueId: '1' }],
    ['/system-addresses/:id/delete', `/system-addresses/${HUGE}/delete`, {}],
    ['/system-addresses with a huge queue id', '/system-addresses', { address: 'huge@b.example', queueId: HUGE }],
    ['/accounts/:id', `/accounts/${HUGE}`, { type: 'IMAP', host: 'h.example', username: 'u', password: 'p' }],
    ['/accounts/:id/delete', `/accounts/${HUGE}/delete`, {}],
    [
      '/accounts with a huge queue id',
      '/accounts',
      {
        type: 'IMAP',
        host: 'h.example',
        username: 'u',
        password: 'p',
        dispatch: 'queue',
        queueId: HUGE,
        after: 'finish',
      },
    ],
    [
      '/accounts with a huge port',
      '/accounts',
      { type: 'IMAP', host: 'h.example', username: 'u2', password: 'p', port: HUGE, after: 'finish' },
    ],
    ['/messages/:id/reprocess', `/messages/${HUGE}${HUGE}/reprocess`, {}],
  ])('%s: 4xx with a message', async (_name, url, fields) => {
    const res = await formPost(url, fields as Record<string, string>);
    expect(res.statusCode, res.body.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).not.toContain('Something went wrong; the server log has the details.');
  });
});
