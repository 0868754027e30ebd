import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { createTestApi, type TestApi } from '../helpers/api.js';
import { launchChromium, screenshot } from '../helpers/browser.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { startTestFetcher, type TestFetcher } from '../helpers/runtime.js';

const ADMIN = 'ui-admin-token-0123456789';

let t: TestApi;
let dc: Dovecot;
let fetcher: TestFetcher;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  [t, dc] = await Promise.all([
    createTestApi({ MAILDUCT_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn' }),
    startDovecot({ users: 2 }),
  ]);
  fetcher = await startTestFetcher(t.ctx.config, createLogger({ level: 'silent' }));
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fetcher?.close();
  await t?.close();
  await dc?.stop();
});

const shot = (name: string) => screenshot(page, name);
const accountRow = (text: string) => page.locator('tbody tr', { hasText: text });

describe('admin UI in Chromium', () => {
  it('requires signing in, with a token, and refuses a wrong one', async () => {
    await page.goto(`${base}/accounts`);
    expect(page.url()).toContain('/login?next=');
    await shot('sign-in');
    await page.fill('#token', 'not-a-token');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('[role=alert]')).toContain('not valid');
    await page.fill('#token', ADMIN);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/accounts`);
    expect(await page.textContent('h1')).toBe('Mail accounts');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'mailduct_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('adds an IMAP account dispatching into a queue, with the conditional fields', async () => {
    await page.click('text=Add mail account');
    await page.selectOption('#type', 'IMAP');
    expect(await page.isVisible('#imapFolders')).toBe(true);
    expect(await page.isVisible('#queueId')).toBe(false);
    await page.selectOption('#dispatch', 'queue');
    expect(await page.isVisible('#queueId')).toBe(true);
    await page.selectOption('#type', 'POP3');
    expect(await page.isVisible('#imapFolders')).toBe(false);
    await page.selectOption('#type', 'IMAP');
    expect(await page.isVisible('#imapFolders')).toBe(true);
    // A failed save shows the error next to the field and keeps what was typed.
    await page.fill('#username', dc.users[0]!);
    await page.click('button[value=finish]');
    expect(await page.textContent('#err-host')).toMatch(/required|empty/);
    expect(await page.inputValue('#username')).toBe(dc.users[0]);
    await page.fill('#host', '127.0.0.1');
    await page.fill('#port', String(dc.imapPort));
    await page.fill('#password', dc.password);
    await page.selectOption('#queueId', { label: 'Misc' });
    await page.fill('#comment', 'support inbox for the UI test');
    await page.click('button[value=finish]');
    await page.waitForURL(/\/accounts\?notice=added/);
    expect(await page.textContent('.notice')).toBe('Mail account added!');
    expect(await accountRow(dc.users[0]!).textContent()).toContain('IMAP');
  });

  it('tests the connection inline and fetches mail from the overview', async () => {
    await dc.seed(dc.users[0]!, 3, 1500, { prefix: 'ui' });
    await accountRow(dc.users[0]!).locator('a').first().click();
    await page.click('#test-connection');
    await expect
      .poll(() => page.textContent('#test-result'), { timeout: 15_000 })
      .toContain('Connection OK: 3 message(s) waiting.');
    await page.goto(`${base}/accounts`);
    await accountRow(dc.users[0]!).locator('button[data-fetch]').click();
    await expect
      .poll(() => accountRow(dc.users[0]!).locator('.result').textContent(), { timeout: 20_000 })
      .toBe('fetched 3, ignored 0, quarantined 0, oversized 0');
    expect(dc.count(dc.users[0]!)).toBe(0);
    await shot('accounts');
  });

  it('keeps the stored password when the edit form leaves it empty, and changes it when typed', async () => {
    const id = Number(await accountRow(dc.users[0]!).getAttribute('data-account-id'));
    await page.goto(`${base}/accounts/${id}`);
    expect(await page.getAttribute('#password', 'placeholder')).toContain('unchanged');
    await shot('account-form');
    await page.fill('#comment', 'edited');
    await page.click('button[value=continue]');
    await page.waitForURL(/notice=updated/);
    expect((await t.deps.services.accounts.credentials(id)).password).toBe(dc.password);
    // …and a fetch still authenticates with it.
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/v1/mail-accounts/${id}/test`, headers: t.auth })).json(),
    ).toMatchObject({ ok: true });
    await page.fill('#password', 'a-new-password');
    await page.click('button[value=continue]');
    await page.waitForURL(/notice=updated/);
    expect((await t.deps.services.accounts.credentials(id)).password).toBe('a-new-password');
    await page.fill('#password', dc.password);
    await page.click('button[value=finish]');
  });

  it('marks invalid accounts, hides them when the remembered toggle is off, and filters as you type', async () => {
    const id = Number(await accountRow(dc.users[0]!).getAttribute('data-account-id'));
    await t.deps.services.accounts.create(
      { type: 'POP3S', host: 'pop.example.com', username: 'second', password: 'x' },
      'test',
    );
    await page.goto(`${base}/accounts/${id}`);
    await page.selectOption('#validity', 'invalid');
    await page.click('button[value=finish]');
    await page.waitForURL(/notice=updated/);
    expect(await accountRow(dc.users[0]!).getAttribute('class')).toContain('invalid');
    await page.uncheck('#include-invalid');
    expect(await accountRow(dc.users[0]!).isVisible()).toBe(false);
    await page.reload();
    expect(await page.isChecked('#include-invalid')).toBe(false);
    expect(await accountRow(dc.users[0]!).isVisible()).toBe(false);
    await page.check('#include-invalid');
    await page.fill('#filter', 'pop.exam');
    expect(await accountRow('second').isVisible()).toBe(true);
    expect(await accountRow(dc.users[0]!).isVisible()).toBe(false);
    await page.fill('#filter', '');
    expect(await accountRow(dc.users[0]!).isVisible()).toBe(true);
  });

  it('deletes an account after confirmation', async () => {
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await accountRow('second').locator('button.danger').click();
    await page.waitForURL(/notice=deleted/);
    expect(asked).toBe('Do you really want to delete this mail account?');
    expect(await accountRow('second').count()).toBe(0);
  });

  it('manages queues and system addresses', async () => {
    await page.click('nav >> text=Queues');
    await page.fill('#q-name', 'Billing');
    await page.click('button:has-text("Add queue")');
    await page.waitForURL(/notice=queue-saved/);
    expect(await page.locator('input[name=name][value=Billing]').count()).toBe(1);
    await shot('queues');
    await page.click('nav >> text=System addresses');
    await page.fill('#a-address', 'Billing@Example.com');
    await page.selectOption('#a-queue', { label: 'Billing' });
    await page.click('button:has-text("Add system address")');
    await page.waitForURL(/notice=address-saved/);
    expect(await page.locator('input[name=address][value="billing@example.com"]').count()).toBe(1);
    await page.fill('#a-address', 'not an address');
    await page.click('button:has-text("Add system address")');
    expect(await page.textContent('#err-address')).toContain('e-mail address');
    await shot('system-addresses');
  });

  it('lists fetched messages with a link to the raw mail', async () => {
    await page.click('nav >> text=Messages');
    expect(await page.locator('tbody tr').count()).toBe(3);
    expect(await page.textContent('tbody')).toContain('ui message 1');
    const href = await page.locator('tbody tr a').first().getAttribute('href');
    const raw = await page.request.get(`${base}${href}`);
    expect(raw.status()).toBe(200);
    expect(raw.headers()['content-type']).toContain('message/rfc822');
    await shot('messages');
  });

  it('serves Bull Board to signed-in users only', async () => {
    await page.goto(`${base}/admin/queues/queue/tickets?status=waiting`);
    await page.waitForSelector('text=ticket.dispatched', { timeout: 15_000 });
    await page.waitForLoadState('networkidle');
    await shot('bull-board');
    const anonymous = await browser.newPage();
    await anonymous.goto(`${base}/admin/queues/`);
    expect(anonymous.url()).toContain('/login');
    const api = await anonymous.request.get(`${base}/admin/queues/api/queues`, { maxRedirects: 0 });
    expect(api.status()).toBe(303);
    await anonymous.close();
  });

  it('signs out', async () => {
    await page.goto(`${base}/accounts`);
    await page.click('text=Sign out');
    await page.waitForURL(/\/login/);
    await page.goto(`${base}/accounts`);
    expect(page.url()).toContain('/login');
  });
});
