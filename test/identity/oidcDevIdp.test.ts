// The embedded development IdP as the broker runs it: mounted under /dev-idp in a Hono app
// on HTTPS with radgate's own CA, discovered and used by the relying party, its sign-in
// page driven over HTTP and in Chromium, its back-channel logout delivered to the broker.
import { createServer as createHttpsServer, type Server } from 'node:https';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevIdp, DEMO_USERS, devIdpConfig, devIdpRoutes, DEV_IDP_HEADING, type DevIdp } from '../../src/identity/devIdp/index.js';
import { backchannelLogoutRoutes, createNodeFetch, type OidcFetch } from '../../src/identity/oidc/index.js';
import { openTestCa, removeHome, tempHome, type TestCa } from '../ca/testCa.js';
import { IdpBrowser } from '../helpers/oidcProvider.js';
import { freePort } from '../helpers/ports.js';
import { testConfig } from '../helpers/tmpHome.js';
import { oidcFixture, type OidcFixture } from './oidcFixture.js';

const CHROMIUM = '/usr/lib/chromium/chromium';
const OIDC_CALLBACK_PATH = '/auth/oidc/callback';
const BACKCHANNEL_LOGOUT_PATH = '/auth/oidc/backchannel-logout';

describe('embedded development IdP inside the control plane', () => {
  let home: string;
  let tca: TestCa;
  let server: Server;
  let devIdp: DevIdp;
  let fx: OidcFixture;
  let nodeFetch: OidcFetch;
  let publicUrl: string;
  let redirectUri: string;
  const backchannel: number[] = [];

  beforeAll(async () => {
    home = tempHome();
    tca = await openTestCa(home);
    const port = await freePort();
    const config = testConfig(home, { 'dev.idp.enabled': true, 'listen.control.port': port });
    publicUrl = config.publicUrl;
    redirectUri = `${publicUrl}${OIDC_CALLBACK_PATH}`;
    const setup = devIdpConfig(config, { redirectUri, backchannelLogoutUri: `${publicUrl}${BACKCHANNEL_LOGOUT_PATH}/dev` });
    nodeFetch = createNodeFetch({ ca: tca.ca.rootPem() });
    devIdp = await createDevIdp({ issuer: setup.issuer, clients: [setup.client], fetch: nodeFetch });
    fx = await oidcFixture([setup.idp], { redirectUri, fetch: nodeFetch });

    const app = new Hono();
    app.route('/', devIdpRoutes(devIdp));
    app.use(`${BACKCHANNEL_LOGOUT_PATH}/*`, async (c, next) => {
      await next();
      backchannel.push(c.res.status);
    });
    app.route(BACKCHANNEL_LOGOUT_PATH, backchannelLogoutRoutes(fx.rp));
    const creds = await tca.ca.serverCredentials();
    server = await new Promise<Server>((resolve) => {
      const s = serve(
        { fetch: app.fetch, createServer: createHttpsServer, serverOptions: { cert: creds.cert, key: creds.key }, hostname: '127.0.0.1', port },
        () => resolve(s as Server),
      ) as Server;
    });
  });

  afterAll(async () => {
    await fx?.close();
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await tca?.close();
    if (home) removeHome(home);
  });

  it('advertises endpoints under its mount path in discovery', async () => {
    const res = await nodeFetch(`${publicUrl}/dev-idp/.well-known/openid-configuration`, { method: 'GET', headers: {} });
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: `${publicUrl}/dev-idp`,
      authorization_endpoint: `${publicUrl}/dev-idp/auth`,
      token_endpoint: `${publicUrl}/dev-idp/token`,
      jwks_uri: `${publicUrl}/dev-idp/jwks`,
      backchannel_logout_supported: true,
    });
  });

  it('shows a sign-in page that says in large type that it is a development IdP', async () => {
    const begun = await fx.rp.beginLogin({ idp: 'dev' });
    const browser = new IdpBrowser(devIdp.issuer, [redirectUri], nodeFetch);
    const first = await browser.open(begun.url);
    const page = await browser.open(new URL(first.headers.get('location')!, begun.url).href);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`<h1 id="dev-idp-banner">${DEV_IDP_HEADING}</h1>`);
    expect(page.html).toMatch(/h1#dev-idp-banner\{font-size:2\.75rem/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    for (const u of DEMO_USERS) expect(page.html).toContain(`Sign in as ${u.name}`);
  });

  it.each([
    ['dr-rivera', { kind: 'workforce', department: 'radiology', roles: ['clinician'] }],
    ['vendor-kim', { kind: 'vendor', organization: 'Acme Imaging Service', roles: ['vendor-engineer'] }],
    ['admin-lee', { kind: 'workforce', roles: ['access-approver', 'admin', 'auditor', 'policy-admin'] }],
    ['admin-okafor', { kind: 'workforce', roles: ['access-approver', 'admin', 'auditor', 'policy-admin'] }],
  ])('signs in the demo user %s through discovery over radgate TLS', async (sub, expected) => {
    const begun = await fx.rp.beginLogin({ idp: 'dev', returnTo: '/admin' });
    const callback = await new IdpBrowser(devIdp.issuer, [redirectUri], nodeFetch).signIn(begun.url, sub);
    const result = await fx.rp.completeLogin(callback, { browserState: begun.state });
    expect(result.user).toMatchObject({ issuer: `${publicUrl}/dev-idp`, subject: sub, ...expected });
    expect(result.sid).toEqual(expect.any(String));
    expect(result.returnTo).toBe('/admin');
  });

  it('delivers back-channel logout to the broker when the user signs out at the dev IdP', async () => {
    const browser = new IdpBrowser(devIdp.issuer, [redirectUri], nodeFetch);
    const begun = await fx.rp.beginLogin({ idp: 'dev' });
    const login = await fx.rp.completeLogin(await browser.signIn(begun.url, 'dr-rivera'), { browserState: begun.state });
    const now = Date.now();
    await fx.store.sessions.insert({
      id: 'dev-s1', tokenHash: 'h-dev-s1', userId: login.user.id, kind: 'browser', state: 'active', idp: 'dev', idpSid: login.sid,
      csrfSecret: 'x', createdAt: now, lastSeenAt: now, expiresAt: now + 60_000, oidcAt: now,
    });
    backchannel.length = 0;
    expect(await browser.endSession()).toBe(303);
    expect(backchannel).toEqual([200]);
    expect((await fx.store.sessions.get('dev-s1'))?.state).toBe('ended');
  });

  it('answers a refused logout token with 400 and no-store', async () => {
    const res = await nodeFetch(`${publicUrl}${BACKCHANNEL_LOGOUT_PATH}/dev`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: 'not.a.jwt' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'invalid logout token' });
  });

  describe('in Chromium', () => {
    let browser: Browser | undefined;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('renders the heading large and signs in with one click', async () => {
      const context = await browser!.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      const begun = await fx.rp.beginLogin({ idp: 'dev' });
      await page.goto(begun.url);
      const heading = page.locator('h1#dev-idp-banner');
      expect(await heading.textContent()).toBe(DEV_IDP_HEADING);
      type Win = { getComputedStyle(el: unknown): { fontSize: string } };
      const fontPx = await heading.evaluate((el) => parseFloat((globalThis as unknown as Win).getComputedStyle(el).fontSize));
      expect(fontPx).toBeGreaterThanOrEqual(40);
      await page.getByRole('button', { name: /Sign in as Sam Kim/ }).click();
      // The broker's callback route is not part of this test app (it answers 404); the URL
      // the browser landed on is what the callback route would be handed.
      await page.waitForURL(`${redirectUri}**`);
      const result = await fx.rp.completeLogin(page.url(), { browserState: begun.state });
      expect(result.user).toMatchObject({ subject: 'vendor-kim', kind: 'vendor' });
      await context.close();
    });
  });
});
