import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountCreateSchema } from '@mailduct/core/accounts';
import { createTestApi, signIn, type TestApi } from '../../helpers/api.js';

// The account is defined once (core's accounts/account-schema.ts): the API, the services the UI
// calls and the UI form take their checks, wording and limits from it.
let t: TestApi;
let cookie: string;
let csrf: string;

beforeAll(async () => {
  t = await createTestApi();
  ({ cookie, csrf } = await signIn(t));
});
afterAll(async () => t?.close());

const good = { type: 'IMAP', host: 'mail.example.com', username: 'desk', password: 'secret' };

/** The problem the API reports for `field` when `value` is sent as JSON. */
async function apiProblem(field: string, value: unknown): Promise<string | undefined> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/mail-accounts',
    headers: t.auth,
    payload: { ...good, [field]: value },
  });
  expect(res.statusCode).toBe(400);
  return res.json().error.details.find((d: { field: string }) => d.field === field)?.problem;
}

/** The problem the UI form shows next to `field` when `value` is typed. */
async function formProblem(field: string, value: string): Promise<string | undefined> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/accounts',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, ...good, dispatch: 'to', [field]: value }).toString(),
  });
  expect(res.statusCode).toBe(400);
  return new RegExp(`id="err-${field}"[^>]*>([^<]*)<`).exec(res.body)?.[1];
}

describe('one account schema', () => {
  it.each([
    ['port', 0, '0', 'must be a whole number from 1 to 65535'],
    ['port', 70000, '70000', 'must be a whole number from 1 to 65535'],
    ['pollIntervalSeconds', 5, '5', 'must be a whole number of seconds from 30 to 604800'],
    ['host', 'h'.repeat(201), 'h'.repeat(201), 'must be text of at most 200 characters'],
    ['host', '', '', 'must not be empty'],
    ['comment', 'c'.repeat(251), 'c'.repeat(251), 'must be text of at most 250 characters'],
  ])('%s = %j: the API and the UI say the same', async (field, json, typed, problem) => {
    expect(await apiProblem(field, json)).toBe(problem);
    expect(await formProblem(field, typed)).toBe(problem);
  });

  it('a value of the wrong type gets the field’s own wording, not the validator’s', async () => {
    expect(await apiProblem('trusted', 'yes')).toBe('must be true or false');
    expect(await apiProblem('type', 'SMTP')).toBe('must be one of IMAP, IMAPS, IMAPTLS, POP3, POP3S, POP3TLS');
    expect(await apiProblem('username', 42)).toBe('must be text of at most 200 characters');
  });

  it('the form takes its limits from the schema', async () => {
    const form = (await t.app.inject({ method: 'GET', url: '/accounts/new', headers: { cookie } })).body;
    const p = AccountCreateSchema.properties as unknown as Record<string, Record<string, number>>;
    expect(form).toContain(`name="host" maxlength="${p.host!.maxLength}"`);
    expect(form).toContain(`name="username" maxlength="${p.username!.maxLength}"`);
    expect(form).toMatch(new RegExp(`name="pollIntervalSeconds" min="${p.pollIntervalSeconds!.minimum}" max="604800"`));
  });
});
