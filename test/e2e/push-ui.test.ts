import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { createTestApi, type TestApi } from '../helpers/api.js';
import { launchChromium, screenshot, signedInPage } from '../helpers/browser.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { startTestFetcher, type TestFetcher } from '../helpers/runtime.js';

// A pushed account in Chromium: the overview and the account's page say which fetcher process
// holds its IDLE connection and since when (a real fetcher watching a real Dovecot).
const ADMIN = 'push-ui-admin-token-0123456789';

let t: TestApi;
let dc: Dovecot;
let fetcher: TestFetcher;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  [t, dc] = await Promise.all([
    createTestApi({ MAILDUCT_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn' }),
    startDovecot({ users: 1, noTls: true }),
  ]);
  fetcher = await startTestFetcher(t.ctx.config, createLogger({ level: 'silent' }));
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await signedInPage(browser, base, ADMIN, { width: 1280, height: 900 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fetcher?.close();
  await t?.close();
  await dc?.stop();
});

describe('push in the admin UI', () => {
  it('shows which fetcher watches a pushed account, and since when', async () => {
    const user = dc.users[0]!;
    await page.goto(`${base}/accounts/new`);
    await page.selectOption('#type', 'IMAP');
    await page.fill('#username', user);
    await page.fill('#password', dc.password);
    await page.fill('#host', '127.0.0.1');
    await page.fill('#port', String(dc.imapPort));
    await page.selectOption('#tlsVerify', '0');
    await page.selectOption('#push', '1');
    await page.click('button[value=finish]');
    await page.waitForURL(/\/accounts\?notice=added/);
    const row = page.locator('tbody tr', { hasText: user });
    const id = Number(await row.getAttribute('data-account-id'));
    // Until a fetcher takes the account, and after: reloads of the overview.
    await expect
      .poll(
        async () => {
          await page.goto(`${base}/accounts`);
          return page.locator('tbody tr', { hasText: user }).locator('.watch').textContent();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toMatch(new RegExp(`^Push: watched by .+:${process.pid} since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`));
    await screenshot(page, 'push');
    await page.goto(`${base}/accounts/${id}`);
    expect(await page.locator('#row-push .watch').textContent()).toContain(`Push: watched by`);

    // Push turned off in the form: the page says nothing about a watch any more.
    await page.selectOption('#push', '0');
    await page.click('button[value=finish]');
    await page.waitForURL(/\/accounts\?notice=updated/);
    expect(await page.locator('tbody tr', { hasText: user }).locator('.watch').count()).toBe(0);
  });
});
