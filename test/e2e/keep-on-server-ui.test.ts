import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { createTestApi, type TestApi } from '../helpers/api.js';
import { launchChromium, screenshot, signedInPage } from '../helpers/browser.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { serverMessages } from '../helpers/mailbox-state.js';
import { testFetchRuntime, type TestFetchRuntime } from '../helpers/runtime.js';

// Adding a mailbox that people also read, in Chromium: two folders, keep the mail, only mail of
// the last days; the preview says what the first run would take before anything is saved.
const ADMIN = 'keep-ui-admin-token-0123456789';
const DAY = 24 * 3600 * 1000;

let t: TestApi;
let dc: Dovecot;
let fetcher: TestFetchRuntime;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  [t, dc] = await Promise.all([
    createTestApi({ MAILDUCT_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn' }),
    startDovecot({ users: 1, noTls: true }),
  ]);
  const user = dc.users[0]!;
  await dc.seed(user, 5, 1000, { prefix: 'last year', date: new Date(Date.now() - 300 * DAY) });
  await dc.seed(user, 2, 1000, { prefix: 'this week', date: new Date(Date.now() - 2 * DAY) });
  await dc.seed(user, 1, 1000, { prefix: 'german desk', folder: 'Support/DE', date: new Date(Date.now() - DAY) });
  fetcher = testFetchRuntime(t.ctx.config, createLogger({ level: 'silent' }));
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await signedInPage(browser, base, ADMIN, { width: 1280, height: 1100 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fetcher?.close();
  await t?.close();
  await dc?.stop();
});

describe('keeping mail on the server, in the admin UI', () => {
  it('previews the initial import before saving, then fetches exactly that and leaves the mail', async () => {
    const user = dc.users[0]!;
    await page.goto(`${base}/accounts/new`);
    await page.selectOption('#type', 'IMAP');
    await page.fill('#username', user);
    await page.fill('#password', dc.password);
    await page.fill('#host', '127.0.0.1');
    await page.fill('#port', String(dc.imapPort));
    await page.selectOption('#tlsVerify', '0');
    await page.fill('#imapFolders', 'INBOX\nSupport/DE');
    expect(await page.isVisible('#moveToFolder')).toBe(false);
    await page.selectOption('#afterFetch', 'moveTo');
    expect(await page.isVisible('#moveToFolder')).toBe(true);
    await page.selectOption('#afterFetch', 'keep');
    await page.selectOption('#push', '1');
    expect(await page.isVisible('#importSince')).toBe(false);
    await page.selectOption('#initialImport', 'since');
    await page.fill('#importSince', new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10));
    await page.click('#preview-import');
    await expect
      .poll(() => page.textContent('#preview-result'), { timeout: 15_000 })
      .toContain('8 message(s) on the server');
    const text = (await page.textContent('#preview-result'))!;
    expect(text).toContain('The first run would fetch 3');
    expect(text).toContain('INBOX: 2 of 7, Support/DE: 1 of 1');
    expect(text).toContain('german desk message 1');
    expect(await t.deps.prisma.mailAccount.count()).toBe(0);
    await screenshot(page, 'keep-on-server');
    await page.click('button[value=finish]');
    await page.waitForURL(/\/accounts\?notice=added/);
    const id = Number(await page.locator('tbody tr', { hasText: user }).getAttribute('data-account-id'));
    expect((await t.deps.prisma.mailAccount.findUniqueOrThrow({ where: { id } })).push).toBe(true);
    const run = await fetcher.service.fetchAccount({ accountId: id, trigger: 'manual' });
    expect(run).toMatchObject({ outcome: 'success', counts: { fetched: 3 } });
    expect((await serverMessages(dc, user)).map((m) => m.flags)).toEqual(Array(7).fill([]));
    expect(dc.count(user, 'Support/DE')).toBe(1);
  });
});
