import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@mailduct/core/log';
import { createTestApi, type TestApi } from '../helpers/api.js';
import { launchChromium, screenshot, signedInPage } from '../helpers/browser.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { startOAuth2Server, type OAuth2Server } from '../helpers/oauth2-server.js';
import { startTestFetcher, type TestFetcher } from '../helpers/runtime.js';

// OAuth2 in the admin UI, in Chromium: add a provider, add an OAuth2 account, sign in through the
// provider's own pages, fetch; the device flow on a second page; re-authorization after the
// provider withdrew the grant. A real authorization server (oidc-provider), Dovecot checking tokens.
const ADMIN = 'oauth2-ui-admin-token-0123456789';
const shot = (name: string) => screenshot(page, name);

let t: TestApi;
let as: OAuth2Server;
let dc: Dovecot;
let fetcher: TestFetcher;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  t = await createTestApi({ MAILDUCT_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn', MAILDUCT_OAUTH2_ALLOW_HTTP: 'true' });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  as = await startOAuth2Server(['user1', 'user2'], { redirectUri: `${base}/oauth2/callback` });
  dc = await startDovecot({ users: 2, noTls: true, oauth2: { introspectionUrl: as.introspectionUrl, ...as.dovecot } });
  fetcher = await startTestFetcher(t.ctx.config, createLogger({ level: 'silent' }));
  browser = await launchChromium();
  page = await signedInPage(browser, base, ADMIN, { width: 1280, height: 900 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await fetcher?.close();
  await t?.close();
  await dc?.stop();
  await as?.close();
});

const accountRow = (text: string) => page.locator('tbody tr', { hasText: text });

/** On the provider's sign-in page (the test server's): sign in as `user`. */
async function signInAtProvider(p: Page, user: string): Promise<void> {
  await p.waitForURL(new RegExp(`^${as.issuer}/interaction/`));
  await p.fill('#login', user);
  await p.click('button[type=submit]');
}

async function addAccount(user: string, provider: string): Promise<number> {
  await page.goto(`${base}/accounts/new`);
  await page.selectOption('#type', 'IMAP');
  expect(await page.isVisible('#password')).toBe(true);
  await page.selectOption('#auth', { label: `OAuth2: ${provider}` });
  expect(await page.isVisible('#password')).toBe(false);
  await page.fill('#username', user);
  await page.fill('#host', '127.0.0.1');
  await page.fill('#port', String(dc.imapPort));
  await page.click('button[value=continue]');
  await page.waitForURL(/\/accounts\/\d+\?notice=added/);
  return Number(/\/accounts\/(\d+)/.exec(page.url())![1]);
}

describe('OAuth2 in the admin UI', () => {
  it('adds a provider with the fields of its kind', async () => {
    await page.click('nav >> text=OAuth2 providers');
    await page.click('text=Add OAuth2 provider');
    expect(await page.isVisible('#p-tenant')).toBe(true);
    expect(await page.isVisible('#p-issuerUrl')).toBe(false);
    expect(await page.textContent('.hint')).toContain(`${base}/oauth2/callback`);
    await page.fill('#p-name', 'Test IdP');
    await page.selectOption('#p-kind', 'generic');
    expect(await page.isVisible('#p-tenant')).toBe(false);
    await page.fill('#p-issuerUrl', as.issuer);
    await page.fill('#p-clientId', as.mailduct.clientId);
    await page.fill('#p-clientSecret', as.mailduct.clientSecret);
    await page.fill('#p-scopes', 'openid offline_access email mail');
    await page.selectOption('#p-grant', 'authorization_code');
    await page.click('#provider-form button[type=submit]');
    await page.waitForURL(/notice=provider-saved/);
    expect(await page.locator('tbody tr', { hasText: 'Test IdP' }).textContent()).toContain('authorization_code');
    expect(await page.content()).not.toContain(as.mailduct.clientSecret);
    await shot('oauth2-providers');
  });

  it('adds an OAuth2 account, signs in at the provider and fetches with the token', async () => {
    const id = await addAccount('user1', 'Test IdP');
    expect(await page.textContent('#oauth2-state')).toBe('Authorization required');
    await page.click('button[data-oauth2-authorize]');
    await signInAtProvider(page, 'user1');
    await page.waitForURL(new RegExp(`^${base}/oauth2/callback`));
    expect(await page.textContent('[role=status]')).toContain(`Mail account ${id} is authorized as user1`);
    await page.click('text=Back to the account');
    expect(await page.textContent('#oauth2-state')).toBe('Authorized');
    await shot('oauth2-account');
    await dc.seed('user1', 2, 1500, { prefix: 'ui-oauth2' });
    await page.goto(`${base}/accounts`);
    await accountRow('user1').locator('button[data-fetch]').click();
    await expect
      .poll(() => accountRow('user1').locator('.result').textContent(), { timeout: 20_000 })
      .toBe('fetched 2, ignored 0, quarantined 0, oversized 0');
    expect(dc.count('user1')).toBe(0);
  });

  it('signs in with a code entered on another device', async () => {
    const id = await addAccount('user2', 'Test IdP');
    await page.click('button[data-oauth2-authorize="device_code"]');
    await expect.poll(() => page.isVisible('#oauth2-device')).toBe(true);
    const code = (await page.textContent('#oauth2-device-code'))!;
    const phone = await browser.newPage();
    try {
      await phone.goto((await page.getAttribute('#oauth2-device-link', 'href'))!);
      if (await phone.isVisible('input[name=user_code]')) {
        await phone.fill('input[name=user_code]', code);
        await phone.click('button[type=submit]');
      }
      await phone.click('button[autofocus]');
      await signInAtProvider(phone, 'user2');
      await phone.waitForLoadState();
    } finally {
      await phone.close();
    }
    await expect.poll(() => page.textContent('#oauth2-state'), { timeout: 30_000 }).toBe('Authorized');
    expect((await t.deps.services.accounts.get(id)).auth).toMatchObject({ state: 'ready', identity: 'user2' });
  }, 60_000);

  it('shows that an account needs re-authorization after the provider withdrew it, and re-authorizes it', async () => {
    await page.goto(`${base}/accounts`);
    const id = Number(await accountRow('user1').getAttribute('data-account-id'));
    await as.withdrawConsent('user1');
    await t.deps.prisma.oAuth2Token.update({ where: { accountId: id }, data: { accessExpiresAt: new Date(0) } });
    await dc.seed('user1', 1, 1500, { prefix: 'ui-reauth' });
    await page.goto(`${base}/accounts`);
    await accountRow('user1').locator('button[data-fetch]').click();
    await expect
      .poll(() => accountRow('user1').locator('.result').textContent(), { timeout: 20_000 })
      .toContain('failed (auth)');
    await page.goto(`${base}/accounts`);
    expect(await accountRow('user1').textContent()).toContain('Re-authorization required');
    expect(dc.count('user1')).toBe(1);
    await accountRow('user1').locator('text=Authorize').click();
    await page.click('button[data-oauth2-authorize="authorization_code"]');
    await signInAtProvider(page, 'user1');
    await page.waitForURL(new RegExp(`^${base}/oauth2/callback`));
    expect((await t.deps.services.accounts.get(id)).validity).toBe('valid');
  }, 60_000);
});
