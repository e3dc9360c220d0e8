// The whole clinician journey in Debian's Chromium against a real oidc-provider and the
// real broker: OIDC sign-in -> security-key registration -> sign-out -> sign-in with OIDC
// and the key -> step-up before removing a key. A CDP virtual authenticator is the key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Broker } from '../../src/server.js';
import { addVirtualAuthenticator, launchBrowser, newContext, screenshot, type VirtualAuthenticator } from '../helpers/browser.js';
import { startIdentityStack, type IdentityStack } from '../helpers/identityStack.js';

describe('clinician sign-in journey (Chromium + oidc-provider + virtual security key)', () => {
  let stack: IdentityStack;
  let broker: Broker;
  let browser: Browser;
  let page: Page;
  let key: VirtualAuthenticator;
  let base: string;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    // stepUpMaxAge is short so the test can watch a verification go stale and demand step-up.
    stack = await startIdentityStack({ 'identity.stepUpMaxAge': 3 });
    ({ broker, base } = stack);
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    key = await addVirtualAuthenticator(page);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function oidcSignIn(): Promise<void> {
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Sign in with Hospital IdP' }).click();
    // The IdP's own page (first time) or straight back (IdP session still alive).
    const choice = page.getByRole('button', { name: /Sign in as Dr\. Alex Rivera/ });
    await Promise.race([choice.waitFor({ timeout: 10_000 }).then(() => choice.click()), page.waitForURL(/\/auth\/key/, { timeout: 10_000 })]);
    await page.waitForURL(/\/auth\/key/);
  }

  it('registers a security key after the first OIDC sign-in', async () => {
    const t0 = performance.now();
    await oidcSignIn();
    await page.getByRole('heading', { name: 'Register your security key' }).waitFor({ state: 'visible' });
    await page.getByLabel('Key name').fill('Rivera USB key');
    await page.getByRole('button', { name: 'Register security key' }).click();
    await page.waitForURL(`${base}/me`);
    timings.firstSignIn = performance.now() - t0;
    expect(await page.locator('#signed-in').textContent()).toContain('Dr. Alex Rivera');
    expect(await page.locator('#signed-in').textContent()).toContain('clinician');
    const creds = await key.credentials();
    expect(creds).toHaveLength(1);
    await screenshot(page, 'identity-signed-in');
  });

  it('signs out and ends the session server-side', async () => {
    const cookie = (await page.context().cookies()).find((c) => c.name === '__Host-radgate');
    expect(cookie?.secure && cookie.httpOnly && cookie.sameSite === 'Lax').toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/auth\/signin/);
    // The old cookie value no longer opens anything.
    const res = await page.context().request.get(`${base}/me`, { headers: { cookie: `__Host-radgate=${cookie!.value}` }, maxRedirects: 0 });
    expect(res.status()).toBe(302);
    expect(res.headers().location).toMatch(/\/auth\/signin/);
  });

  it('signs in again with OIDC and an assertion from the registered key', async () => {
    const before = (await key.credentials())[0]!.signCount;
    const t0 = performance.now();
    await oidcSignIn();
    await page.getByRole('heading', { name: 'Use your security key' }).waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Use security key' }).click();
    await page.waitForURL(`${base}/me`);
    timings.secondSignIn = performance.now() - t0;
    expect((await key.credentials())[0]!.signCount).toBeGreaterThan(before);
  });

  it('demands a fresh assertion (step-up) before removing a key, then refuses to remove the last one', async () => {
    await new Promise((r) => setTimeout(r, 3500));
    await page.goto(`${base}/me/keys`);
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.waitForURL(/\/auth\/step-up/);
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Use security key' }).click();
    await page.waitForURL(`${base}/me/keys`);
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.waitForURL(/notice=last-key/);
    expect(await page.getByRole('status').textContent()).toContain('cannot be removed');
    expect(await key.credentials()).toHaveLength(1);
  });

  it('recorded every step in the audit chain', async () => {
    await broker.audit.flush();
    const types = (await broker.store.audit.query({ order: 'asc', limit: 1000 })).map((r) => `${r.type}:${r.outcome}`);
    for (const t of ['identity.login:success', 'identity.webauthn.register:success', 'identity.webauthn.authenticate:success', 'identity.session.end:success', 'identity.step-up:failure', 'identity.webauthn.key.remove:failure']) {
      expect(types).toContain(t);
    }
    process.stdout.write(`browser sign-in timings (ms): first (OIDC + key registration) ${timings.firstSignIn?.toFixed(0)}, again (OIDC + assertion) ${timings.secondSignIn?.toFixed(0)}\n`);
  });
});
