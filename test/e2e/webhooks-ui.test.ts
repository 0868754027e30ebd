import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@mailduct/core/config';
import { createInfrastructure, type Infrastructure } from '@mailduct/core/infrastructure';
import { createLogger } from '@mailduct/core/log';
import { DeliveryRepository, publishWebhookEvent, webhookEventBody, webhookEventId } from '@mailduct/core/webhooks';
import { startWebhooks, type RunningWebhooks } from '@mailduct/webhooks';
import { createTestApi, type TestApi } from '../helpers/api.js';
import { launchChromium, screenshot, signedInPage } from '../helpers/browser.js';
import { startReceiver, type Receiver } from '../helpers/http-receiver.js';

// Webhooks in Chromium, against a real receiver and a real webhooks role: add one (the secret
// shown once, then never), an event signed with that secret arrives, the delivery log shows it,
// Redeliver sends it again with the same webhook-id, a webhook mailduct disabled says why and
// is enabled again from its form, and a bad URL is named next to its field.
const ADMIN = 'webhooks-ui-admin-token-0123456789';
let t: TestApi;
let infra: Infrastructure;
let role: RunningWebhooks;
let receiver: Receiver;
let url: string;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  const env = {
    MAILDUCT_ADMIN_TOKEN: ADMIN,
    LOG_LEVEL: 'warn',
    MAILDUCT_WEBHOOK_ALLOW_PRIVATE: 'true',
    MAILDUCT_WEBHOOK_ALLOW_HTTP: 'true',
  };
  t = await createTestApi(env);
  receiver = await startReceiver((_, res) => void res.writeHead(200).end('thanks'));
  url = `${receiver.base}/desk`;
  infra = createInfrastructure(loadConfig(t.ctx.env), { name: 'webhooks-ui' });
  role = await startWebhooks(infra, createLogger({ level: 'silent' }));
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await signedInPage(browser, base, ADMIN, { width: 1280, height: 900 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await role?.close();
  await infra?.close();
  await receiver?.close();
  await t?.close();
});

describe('webhooks in the admin UI', () => {
  it('adds a webhook, shows its secret once, logs and redelivers its events', async () => {
    // A bad URL is named at its field, and what was typed stays.
    await page.goto(`${base}/webhooks/new`);
    await page.fill('#w-url', 'ftp://desk.example.com/hook');
    await page.check('input[name="event:account.failed"]');
    await page.click('#webhook-form button[type=submit]');
    expect(await page.locator('#err-url').textContent()).toMatch(/http/);
    expect(await page.locator('input[name="event:account.failed"]').isChecked()).toBe(true);

    await page.fill('#w-url', url);
    await page.check('input[name="event:message.quarantined"]');
    await page.fill('#w-description', 'Service desk');
    await page.click('#webhook-form button[type=submit]');
    await page.locator('#webhook-secret').waitFor();
    const secret = await page.locator('#webhook-secret').inputValue();
    expect(secret).toMatch(/^whsec_/);

    await page.goto(`${base}/webhooks`);
    const row = page.locator('tbody tr', { hasText: url });
    expect(await row.textContent()).toContain('message.quarantined, account.failed');
    const id = Number(await row.getAttribute('data-webhook-id'));
    expect(await page.content()).not.toContain(secret);

    // An event: delivered to the receiver, signed with the secret the page showed.
    const body = webhookEventBody('message.quarantined', { accountId: 1, messageId: 5 }, new Date());
    const queue = infra.workerQueues.webhooks;
    const deps = { repository: new DeliveryRepository(infra.prisma, infra.pool), queue };
    await publishWebhookEvent(deps, 'message.quarantined', webhookEventId('message.quarantined', 5), body);
    await expect.poll(() => receiver.got.length, { timeout: 10_000, interval: 100 }).toBe(1);
    expect(new Webhook(secret).verify(receiver.got[0]!.body, receiver.got[0]!.headers)).toMatchObject({
      type: 'message.quarantined',
    });

    await expect
      .poll(
        async () => {
          await page.goto(`${base}/webhooks/${id}`);
          return page.locator('#delivery-log tbody tr').first().textContent();
        },
        { timeout: 10_000, interval: 300 },
      )
      .toMatch(/delivered/);
    expect(await page.content()).not.toContain(secret);
    await page.click('#delivery-log tbody tr button:has-text("Redeliver")');
    await page.waitForURL(/notice=redelivered/);
    await expect.poll(() => receiver.got.length, { timeout: 10_000, interval: 100 }).toBe(2);
    expect(receiver.got[1]!.headers['webhook-id']).toBe(receiver.got[0]!.headers['webhook-id']);
    await page.goto(`${base}/webhooks/${id}`);
    await page.locator('#delivery-log details summary').first().click();
    expect(await page.locator('#delivery-log details li').count()).toBe(2);
    await screenshot(page, 'webhooks');

    // Disabled by mailduct: the list and the form say why; enabling it again clears it.
    const reason = 'nothing delivered for 24 h; the last attempt: answered 503';
    await infra.prisma.webhook.update({ where: { id }, data: { enabled: false, disabledReason: reason } });
    await page.goto(`${base}/webhooks`);
    expect(await page.locator('tbody tr', { hasText: url }).textContent()).toContain(
      `Disabled by mailduct${reason}`.replace('mailduct', 'mailduct '),
    );
    await page.goto(`${base}/webhooks/${id}`);
    expect(await page.locator('[role=alert]').textContent()).toContain(reason);
    await page.check('input[name=enabled]');
    await page.click('#webhook-form button[type=submit]');
    await page.waitForURL(/notice=webhook-saved/);
    await page.goto(`${base}/webhooks`);
    expect(await page.locator('tbody tr', { hasText: url }).locator('.state-ok').textContent()).toBe('Enabled');
  });
});
