// The demo path of the quick start: the broker with its embedded development IdP, signed
// into in Chromium as a demo user with a virtual security key; plus CSRF on the real server.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../src/server.js';
import { addVirtualAuthenticator, launchBrowser, newContext, screenshot } from '../helpers/browser.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';

describe('demo: broker with the embedded development IdP', () => {
  let broker: Broker;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    broker = await startBroker(testConfig(tmpHome(), { 'listen.control.port': port, 'dev.idp.enabled': true }));
    base = broker.url;
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await addVirtualAuthenticator(page);
  });
  afterAll(async () => {
    await browser?.close();
    await broker?.close();
  });

  it('signs a demo radiologist in through the clearly labelled dev IdP and a new security key', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: /Sign in with Development IdP/ }).click();
    expect(await page.getByRole('heading', { level: 1 }).first().textContent()).toMatch(/DEVELOPMENT IDENTITY PROVIDER/);
    await screenshot(page, 'dev-idp-login');
    await page.getByRole('button', { name: /Sign in as Dr\. Alex Rivera/ }).click();
    await page.waitForURL(/\/auth\/key/);
    await page.getByRole('button', { name: 'Register security key' }).click();
    await page.waitForURL(`${base}/me`);
    expect(await page.locator('#signed-in').textContent()).toContain('Dr. Alex Rivera');
  });

  it('refuses a cookie-authenticated POST without the CSRF token (403 problem+json) and keeps the session', async () => {
    const res = await page.context().request.post(`${base}/auth/logout`, { headers: { Origin: base, Accept: 'application/json' }, maxRedirects: 0 });
    expect(res.status()).toBe(403);
    expect(res.headers()['content-type']).toMatch(/application\/problem\+json/);
    await page.goto(`${base}/me`);
    expect(page.url()).toBe(`${base}/me`);
  });

  it('refuses a cross-origin POST even with a valid token', async () => {
    const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
    const res = await page.context().request.post(`${base}/auth/logout`, { headers: { Origin: 'https://evil.example', 'X-CSRF-Token': token ?? '' }, maxRedirects: 0 });
    expect(res.status()).toBe(403);
    await page.goto(`${base}/me`);
    expect(page.url()).toBe(`${base}/me`);
  });
});
