// Issue 9 item 5, the access pages of the admin console in Debian's Chromium with virtual
// security keys: a vendor's request (made through the access API) is approved by an admin
// with a step-up, its grant shows in Grants and is revoked there (store and audit); an admin
// cannot approve her own request (separation of duties); a break-glass grant waits in the
// review queue, its invoker cannot review it, another admin's review takes it out; an
// auditor reads every list but each write is refused (403) and audited.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as apiRequest, type APIRequestContext, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_ROLE_MAP, DEMO_USERS } from '../../src/identity/devIdp/index.js';
import type { User } from '../../src/identity/index.js';
import { startBroker, type Broker } from '../../src/server.js';
import type { AuditRow } from '../../src/store/index.js';
import { addVirtualAuthenticator, launchBrowser, newContext, screenshot } from '../helpers/browser.js';
import { signInWithKey } from '../helpers/identityStack.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidcProvider.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';

const AUDITOR = { sub: 'auditor-ng', name: 'Pat Ng', email: 'pat.ng@hospital.example', org: 'St. Example Hospital', department: 'compliance', groups: ['auditors'], kind: 'workforce' as const, description: 'Auditor' };
/** An administrator who is also a clinician, so she may invoke break-glass herself. */
const SANTOS = { sub: 'admin-santos', name: 'Dana Santos', email: 'dana.santos@hospital.example', org: 'St. Example Hospital', department: 'radiology', groups: ['radgate-admins', 'clinicians'], kind: 'workforce' as const, description: 'Administrator and radiologist' };
const STEP_UP_MAX_AGE = 5;
const TARGETS = [
  { name: 'ct-1-ssh', address: '127.0.0.1:1', labels: { site: 'main', department: 'radiology', owner: 'imaging-it', risk: 'low' } },
  { name: 'mr-2-service', address: '127.0.0.1:2', labels: { site: 'main', department: 'radiology', risk: 'medium' } },
];

describe('admin console: access requests, grants and the break-glass review queue (Chromium + virtual keys)', () => {
  let idp: TestOidcProvider;
  let broker: Broker;
  let base: string;
  let browser: Browser;
  let api: APIRequestContext;
  const contexts: BrowserContext[] = [];
  let lee: Page;
  let leeSignedInAt = 0;
  let vendor: User;
  let vendorRequest = '';
  let grantId = '';
  let breakGlassGrant = '';

  async function pageFor(name: string, returnTo: string): Promise<Page> {
    const ctx = await newContext(browser);
    contexts.push(ctx);
    const page = await ctx.newPage();
    await addVirtualAuthenticator(page);
    await signInWithKey(page, base, name, returnTo);
    return page;
  }

  /** A user row and an agent session minted directly (as the access tests do). */
  async function makeUser(name: string, o: { kind: User['kind']; org: string; roles: string[] }): Promise<User> {
    const t = Date.now();
    const tag = randomBytes(4).toString('hex');
    const row = await broker.store.users.upsertFromIdp({ id: `usr_${name}_${tag}`, issuer: 'https://idp.test', subject: `${name}-${tag}`, kind: o.kind, organization: o.org, department: null, displayName: name, email: null, roles: JSON.stringify(o.roles), createdAt: t, updatedAt: t });
    return (await broker.identity.sessions.getUser(row.id))!;
  }

  async function bearer(user: User): Promise<string> {
    const t = Date.now();
    const { token } = await broker.identity.sessions.createSession({ user, kind: 'agent', idp: 'test', amr: ['oidc', 'webauthn'], idpSid: null, oidcAt: t, state: 'active', credentialId: 'cred-1', verifiedAt: t });
    return token;
  }

  /** POST /access/requests over HTTPS with the user's agent session; returns the request id. */
  async function requestAccess(user: User, target: string, reason: string): Promise<string> {
    const res = await api.post(`${base}/access/requests`, { data: { target, reason, duration: '2h' }, headers: { Authorization: `Bearer ${await bearer(user)}` } });
    expect(res.status(), await res.text()).toBe(201);
    const body = (await res.json()) as { id: string; state: string };
    expect(body.state).toBe('pending');
    return body.id;
  }

  /**
   * Submits a console form that needs a fresh security key: when the broker sends the browser
   * through the step-up page, confirms with the key and submits again on the page it returns to.
   * Returns whether a step-up happened.
   */
  async function submitWithStepUp(page: Page, back: string, submit: () => Promise<void>, done: RegExp): Promise<boolean> {
    await submit();
    await page.waitForURL((u) => u.pathname.startsWith('/auth/step-up') || done.test(u.href) || u.pathname !== back);
    if (!page.url().includes('/auth/step-up')) return false;
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await page.getByRole('button', { name: 'Use security key' }).click();
    await page.waitForURL(`${base}${back}`);
    await submit();
    await page.waitForURL((u) => done.test(u.href) || u.pathname !== back);
    return true;
  }

  async function audit(type: string): Promise<AuditRow[]> {
    await broker.audit.flush();
    return broker.store.audit.query({ type, limit: 200 });
  }

  const detail = (r: AuditRow) => JSON.parse(r.detail) as Record<string, unknown>;

  beforeAll(async () => {
    const port = await freePort();
    base = `https://localhost:${port}`;
    const clientSecret = randomBytes(24).toString('base64url');
    idp = await startOidcProvider({ clients: [{ clientId: 'radgate', clientSecret, redirectUris: [`${base}/auth/callback`] }], users: [...DEMO_USERS, AUDITOR, SANTOS] });
    broker = await startBroker(
      testConfig(tmpHome(), {
        'listen.control.port': port,
        'identity.stepUpMaxAge': STEP_UP_MAX_AGE,
        'access.targets': TARGETS,
        'identity.idps': [{ name: 'hospital', displayName: 'Hospital IdP', issuer: idp.issuer, clientId: 'radgate', clientSecret, allowInsecureHttp: true, algorithms: ['ES256', 'RS256'], claims: { kind: 'kind' }, roleMap: DEMO_ROLE_MAP }],
      }),
    );
    browser = await launchBrowser();
    api = await apiRequest.newContext({ ignoreHTTPSErrors: true });
    vendor = await makeUser('vic', { kind: 'vendor', org: 'Acme Imaging Service', roles: ['vendor-engineer'] });
    vendorRequest = await requestAccess(vendor, 'ct-1-ssh', 'replace the CT gantry firmware (ticket 4711)');
    lee = await pageFor('Jordan Lee', '/console');
    leeSignedInAt = Date.now();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await api?.dispose();
    await browser?.close();
    await broker?.close();
    await idp?.stop();
  });

  it('links the access pages from the overview and lists the pending vendor request', async () => {
    await lee.waitForURL(`${base}/console`);
    const overview = await lee.locator('#overview').textContent();
    expect(overview).toContain('Access requests awaiting a decision: 1');
    expect(overview).toContain('Active grants: 0');
    expect(overview).toContain('Break-glass grants awaiting review: 0');
    expect(await lee.locator('main').textContent()).not.toContain('once the access module is in place');
    for (const name of ['Access requests', 'Grants', 'Break-glass reviews']) expect(await lee.getByRole('navigation', { name: 'console' }).getByRole('link', { name, exact: true }).count()).toBe(1);
    await lee.getByRole('navigation', { name: 'console' }).getByRole('link', { name: 'Access requests', exact: true }).click();
    await lee.waitForURL(`${base}/console/access/requests`);
    const row = lee.locator(`#pending-requests tr[data-request="${vendorRequest}"]`);
    expect(await row.textContent()).toContain(`${vendor.id} (Acme Imaging Service)`);
    expect(await row.textContent()).toContain('ct-1-ssh');
    expect(await row.textContent()).toContain('replace the CT gantry firmware');
    expect(await row.locator('.state').textContent()).toBe('pending');
    expect(await row.getByRole('button', { name: `Approve ${vendorRequest}` }).count()).toBe(1);
    await screenshot(lee, 'admin-access-requests');
  });

  it('approves the vendor request with a security-key step-up; the grant shows in Grants', async () => {
    // Let the sign-in verification age past the step-up window so the approval needs a fresh key.
    const wait = leeSignedInAt + (STEP_UP_MAX_AGE + 0.5) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await lee.goto(`${base}/console/access/requests`);
    const stepped = await submitWithStepUp(lee, '/console/access/requests', () => lee.getByRole('button', { name: `Approve ${vendorRequest}` }).click(), /notice=granted/);
    expect(stepped).toBe(true);
    await lee.waitForURL(/\/console\/access\/requests\?notice=granted/);
    expect(await lee.locator('#notice').textContent()).toContain('Approved: the grant is active');
    expect(await lee.locator(`#pending-requests tr[data-request="${vendorRequest}"]`).count()).toBe(0);
    expect(await lee.locator(`#recent-requests tr[data-request="${vendorRequest}"] .state`).textContent()).toBe('approved');
    await screenshot(lee, 'admin-access-request-approved');

    const grants = await broker.store.access.listGrants({ userId: vendor.id });
    expect(grants).toHaveLength(1);
    grantId = grants[0]!.id;
    expect(grants[0]).toMatchObject({ requestId: vendorRequest, target: 'ct-1-ssh', state: 'active', breakGlass: false });
    const approved = (await audit('access.approve')).find((r) => detail(r).requestId === vendorRequest && r.outcome === 'success');
    expect(approved?.actor).toMatch(/^Radgate::User::/);
    expect((await audit('grant.create')).some((r) => detail(r).grantId === grantId)).toBe(true);

    await lee.getByRole('navigation', { name: 'console' }).getByRole('link', { name: 'Grants', exact: true }).click();
    await lee.waitForURL(`${base}/console/access/grants`);
    const row = lee.locator(`#active-grants tr[data-grant="${grantId}"]`);
    expect(await row.textContent()).toContain(vendor.id);
    expect(await row.textContent()).toContain('ct-1-ssh');
    expect(await row.locator('.kind').textContent()).toBe(`request ${vendorRequest}`);
    const left = Number(await row.locator('.seconds-left').textContent());
    expect(left).toBeGreaterThan(2 * 3600 - 120);
    expect(left).toBeLessThanOrEqual(2 * 3600);
    await screenshot(lee, 'admin-grants');
  });

  it('refuses a revocation without a reason, then revokes the grant with one (store and audit)', async () => {
    await lee.goto(`${base}/console/access/grants`);
    // The browser enforces `required`; a scripted post without a reason is refused by the broker.
    const csrf = (await lee.locator('input[name=_csrf]').first().getAttribute('value'))!;
    const bare = await lee.request.post(`${base}/console/access/grants/${grantId}/revoke`, { form: { _csrf: csrf, reason: '  ' }, headers: { Origin: base }, maxRedirects: 0 });
    if (bare.status() === 303) expect(bare.headers().location).toContain('/auth/step-up');
    else {
      expect(bare.status()).toBe(400);
      expect(await bare.text()).toContain('reason for revoking: 3-500 characters');
    }
    expect((await broker.store.access.getGrant(grantId))?.state).toBe('active');

    const reason = 'vendor finished early; access no longer needed';
    await submitWithStepUp(
      lee,
      '/console/access/grants',
      async () => {
        await lee.getByLabel(`Reason for revoking ${grantId}`).fill(reason);
        await lee.getByRole('button', { name: `Revoke ${grantId}` }).click();
      },
      /notice=revoked/,
    );
    await lee.waitForURL(/\/console\/access\/grants\?notice=revoked/);
    expect(await lee.locator('#notice').textContent()).toContain('Grant revoked');
    expect(await lee.locator(`#active-grants tr[data-grant="${grantId}"]`).count()).toBe(0);
    expect(await lee.locator(`#recent-grants tr[data-grant="${grantId}"] .state`).textContent()).toContain(`: ${reason}`);
    await screenshot(lee, 'admin-grant-revoked');

    const g = (await broker.store.access.getGrant(grantId))!;
    expect(g.state).toBe('revoked');
    expect(g.revokeReason).toBe(reason);
    const leeUser = (await broker.store.users.list(100)).find((u) => u.displayName === 'Jordan Lee')!;
    expect(g.revokedBy).toBe(leeUser.id);
    const revoked = (await audit('grant.revoke')).filter((r) => detail(r).grantId === grantId && r.outcome === 'success');
    expect(revoked).toHaveLength(1);
    expect(detail(revoked[0]!).reason).toBe(reason);
    expect(revoked[0]!.actor).toBe(`Radgate::User::${JSON.stringify(leeUser.id)}`);
  });

  it('refuses an admin approving her own request with a clear separation-of-duties message', async () => {
    const leeUser = (await broker.identity.sessions.getUser((await broker.store.users.list(100)).find((u) => u.displayName === 'Jordan Lee')!.id))!;
    const own = await requestAccess(leeUser, 'mr-2-service', 'check the MR service console myself');
    await lee.goto(`${base}/console/access/requests`);
    await submitWithStepUp(lee, '/console/access/requests', () => lee.getByRole('button', { name: `Approve ${own}` }).click(), /notice=/);
    await lee.getByRole('alert').waitFor();
    expect(await lee.getByRole('alert').textContent()).toContain('Separation of duties: you cannot approve this request');
    expect(await lee.locator(`#pending-requests tr[data-request="${own}"] .state`).textContent()).toBe('pending');
    await screenshot(lee, 'admin-access-sod-refused');
    expect((await broker.store.access.getRequest(own))?.state).toBe('pending');
    const refused = (await audit('access.approve')).find((r) => detail(r).requestId === own);
    expect(refused?.outcome).toBe('failure');
    expect(detail(refused!)).toMatchObject({ reason: 'policy-denied', policyReasons: ['separation-of-duties'] });
  });

  it('shows a break-glass grant in the review queue; its invoker cannot review it; another admin can', async () => {
    const santos = await pageFor('Dana Santos', '/access/breakglass');
    if (santos.url().includes('/auth/step-up')) {
      await santos.getByRole('button', { name: 'Use security key' }).click();
      await santos.waitForURL(/\/access\/breakglass/);
    }
    const invoke = async () => {
      await santos.getByLabel('Target').selectOption('mr-2-service');
      await santos.getByLabel('What is the emergency?').fill('stroke patient, MR console locked, need access now');
      await santos.getByRole('button', { name: 'Open break-glass access' }).click();
    };
    await submitWithStepUp(santos, '/access/breakglass', invoke, /done=/);
    await santos.waitForURL(/\/access\/breakglass\?done=/);
    const santosUser = (await broker.store.users.list(100)).find((u) => u.displayName === 'Dana Santos')!;
    const bg = (await broker.store.access.listGrants({ userId: santosUser.id, breakGlass: true }))[0]!;
    expect(bg).toMatchObject({ target: 'mr-2-service', state: 'active', breakGlass: true, reviewedAt: null });
    breakGlassGrant = bg.id;

    // The queue, as the invoker sees it: her own break-glass, with a review form she may not use.
    await santos.goto(`${base}/console/access/reviews`);
    const row = santos.locator(`#open-reviews tr[data-grant="${breakGlassGrant}"]`);
    expect(await row.textContent()).toContain('break-glass by Dana Santos on mr-2-service');
    expect(await row.textContent()).toMatch(/live, \d+ s left/);
    await screenshot(santos, 'admin-breakglass-queue');
    await submitWithStepUp(
      santos,
      '/console/access/reviews',
      async () => {
        await santos.getByLabel(`What was checked (${breakGlassGrant})`).fill('I checked my own emergency');
        await santos.getByRole('button', { name: `Record review of ${breakGlassGrant}` }).click();
      },
      /notice=/,
    );
    await santos.getByRole('alert').waitFor();
    expect(await santos.getByRole('alert').textContent()).toContain('You invoked this break-glass yourself, so another administrator must review it');
    expect(await santos.locator(`#open-reviews tr[data-grant="${breakGlassGrant}"]`).count()).toBe(1);
    await screenshot(santos, 'admin-breakglass-self-review-refused');
    expect((await broker.store.access.getGrant(breakGlassGrant))?.reviewedAt).toBeNull();
    expect((await audit('breakglass.review')).find((r) => r.outcome === 'failure' && detail(r).reason === 'self-review')).toBeDefined();

    // Another administrator records the review: the grant leaves the queue.
    await lee.goto(`${base}/console`);
    expect(await lee.locator('#overview').textContent()).toContain('Break-glass grants awaiting review: 1');
    await lee.getByRole('link', { name: 'Break-glass grants awaiting review: 1' }).click();
    await lee.waitForURL(`${base}/console/access/reviews`);
    const note = 'called the radiologist on duty: genuine stroke case, access ended after the scan';
    await submitWithStepUp(
      lee,
      '/console/access/reviews',
      async () => {
        await lee.getByLabel(`What was checked (${breakGlassGrant})`).fill(note);
        await lee.getByRole('button', { name: `Record review of ${breakGlassGrant}` }).click();
      },
      /notice=reviewed/,
    );
    await lee.waitForURL(/\/console\/access\/reviews\?notice=reviewed/);
    expect(await lee.locator('#notice').textContent()).toContain('the grant left the queue');
    expect(await lee.locator(`#open-reviews tr[data-grant="${breakGlassGrant}"]`).count()).toBe(0);
    expect(await lee.locator('#queue-empty').textContent()).toContain('Nothing awaits review');
    expect(await lee.locator(`#reviewed tr[data-grant="${breakGlassGrant}"]`).textContent()).toContain('stroke patient');
    await screenshot(lee, 'admin-breakglass-reviewed');
    const g = (await broker.store.access.getGrant(breakGlassGrant))!;
    expect(g.reviewedAt).not.toBeNull();
    expect(g.reviewNote).toBe(note);
    expect(g.reviewedBy).not.toBe(santosUser.id);
    expect((await audit('breakglass.review')).find((r) => r.outcome === 'success' && detail(r).grantId === breakGlassGrant)).toBeDefined();
  });

  it('lets an auditor read the lists but refuses and audits every write', async () => {
    const pending = await requestAccess(vendor, 'mr-2-service', 'calibrate the MR coil after the repair');
    const auditor = await pageFor('Pat Ng', '/console/access/requests');
    await auditor.waitForURL(`${base}/console/access/requests`);
    expect(await auditor.locator('#who').textContent()).toContain('auditor, read-only');
    expect(await auditor.locator(`#pending-requests tr[data-request="${pending}"]`).textContent()).toContain('calibrate the MR coil');
    expect(await auditor.locator(`#recent-requests tr[data-request="${vendorRequest}"] .state`).textContent()).toBe('approved');
    expect(await auditor.getByRole('button', { name: /^(Approve|Deny) / }).count()).toBe(0);
    await auditor.goto(`${base}/console/access/grants`);
    expect(await auditor.locator(`#active-grants tr[data-grant="${breakGlassGrant}"] .kind`).textContent()).toBe('break-glass (reviewed)');
    expect(await auditor.locator(`#recent-grants tr[data-grant="${grantId}"]`).textContent()).toContain('revoked by');
    expect(await auditor.getByRole('button', { name: /^Revoke / }).count()).toBe(0);
    await screenshot(auditor, 'admin-auditor-grants');
    await auditor.goto(`${base}/console/access/reviews`);
    expect(await auditor.locator(`#reviewed tr[data-grant="${breakGlassGrant}"]`).count()).toBe(1);

    const before = (await audit('admin.write')).length;
    const csrf = (await auditor.locator('input[name=_csrf]').first().getAttribute('value'))!;
    const posts: [string, Record<string, string>][] = [
      [`/console/access/requests/${pending}/approve`, {}],
      [`/console/access/requests/${pending}/deny`, {}],
      [`/console/access/grants/${breakGlassGrant}/revoke`, { reason: 'auditor tries to revoke' }],
      ['/console/access/reviews/rev_anything', { note: 'auditor tries to review' }],
    ];
    for (const [path, form] of posts) {
      const res = await auditor.request.post(`${base}${path}`, { form: { _csrf: csrf, ...form }, headers: { Origin: base, Accept: 'application/json' }, maxRedirects: 0 });
      expect(res.status(), path).toBe(403);
      expect(((await res.json()) as { detail?: string }).detail, path).toContain('your role can read the console but not change anything');
    }
    expect((await broker.store.access.getRequest(pending))?.state).toBe('pending');
    expect((await broker.store.access.getGrant(breakGlassGrant))?.state).toBe('active');
    const all = await audit('admin.write');
    const denied = all.slice(0, all.length - before);
    expect(denied).toHaveLength(posts.length);
    expect(denied.every((r) => r.outcome === 'deny' && detail(r).reason === 'read-only-role')).toBe(true);
    expect(denied.map((r) => detail(r).action).sort()).toEqual(['access.approve', 'access.deny', 'breakglass.review', 'grant.revoke']);
  });
});
