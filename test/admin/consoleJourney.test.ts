// Issue 9, end to end in Debian's Chromium: admin A proposes a policy change in the console,
// previews its impact and cannot approve it herself; admin B approves with a security-key
// step-up; the change is active and a live session it now denies is cut. An auditor reads
// but every write is refused; stale CSRF tokens and hostile audit searches are refused.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_ROLE_MAP, DEMO_USERS } from '../../src/identity/devIdp/index.js';
import { startBroker, type Broker } from '../../src/server.js';
import { addVirtualAuthenticator, launchBrowser, newContext, screenshot } from '../helpers/browser.js';
import { signInWithKey } from '../helpers/identityStack.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidcProvider.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';
import { clinicianQuery, FREEZE_CEDAR } from '../policy/versions/fixture.js';

const AUDITOR = { sub: 'auditor-ng', name: 'Pat Ng', email: 'pat.ng@hospital.example', org: 'St. Example Hospital', department: 'compliance', groups: ['auditors'], kind: 'workforce' as const, description: 'Auditor' };

describe('admin console: two-person policy change, impact, auditor (Chromium + virtual keys)', () => {
  let idp: TestOidcProvider;
  let broker: Broker;
  let base: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let lee: Page;
  let okafor: Page;
  let auditor: Page;
  let versionUrl = '';
  let cut: Promise<{ at: number; reason: string }>;

  async function pageFor(name: string, returnTo: string): Promise<Page> {
    const ctx = await newContext(browser);
    contexts.push(ctx);
    const page = await ctx.newPage();
    await addVirtualAuthenticator(page);
    await signInWithKey(page, base, name, returnTo);
    return page;
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `https://localhost:${port}`;
    const clientSecret = randomBytes(24).toString('base64url');
    idp = await startOidcProvider({ clients: [{ clientId: 'radgate', clientSecret, redirectUris: [`${base}/auth/callback`] }], users: [...DEMO_USERS, AUDITOR] });
    broker = await startBroker(
      testConfig(tmpHome(), {
        'listen.control.port': port,
        'identity.stepUpMaxAge': 4,
        'identity.idps': [{ name: 'hospital', displayName: 'Hospital IdP', issuer: idp.issuer, clientId: 'radgate', clientSecret, allowInsecureHttp: true, algorithms: ['ES256', 'RS256'], claims: { kind: 'kind' }, roleMap: DEMO_ROLE_MAP }],
      }),
    );
    browser = await launchBrowser();
    // Alice is reading a study in pacs-frozen: three decisions, and a live session re-checked by policy.
    for (let i = 0; i < 3; i++) await broker.policy.authorize(clinicianQuery.principal, 'dicomweb.query', clinicianQuery.resource, clinicianQuery.context).durable;
    cut = new Promise((resolve) => {
      broker.liveSessions.register({
        gateway: 'http',
        userId: 'alice',
        deviceId: 'dev-1',
        serial: null,
        loginSessionId: null,
        grantId: null,
        target: 'pacs-frozen',
        recheck: () => broker.policy.authorize(clinicianQuery.principal, 'dicomweb.query', clinicianQuery.resource, clinicianQuery.context).decision === 'allow',
        close: (reason) => resolve({ at: Date.now(), reason }),
      });
    });
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await broker?.close();
    await idp?.stop();
  });

  it('shows admin A the console overview and the active, seeded version', async () => {
    lee = await pageFor('Jordan Lee', '/console');
    await lee.waitForURL(`${base}/console`);
    expect(await lee.locator('#who').textContent()).toContain('Jordan Lee (administrator)');
    expect(await lee.locator('#overview').textContent()).toMatch(/Active policy version: [0-9a-f]{12}/);
    expect(await lee.locator('#overview').textContent()).toContain('Live data-plane sessions: 1');
    await screenshot(lee, 'admin-overview');
    await lee.getByRole('link', { name: 'Policy versions' }).click();
    expect(await lee.locator('tbody').textContent()).toContain('active');
    expect(await lee.locator('tbody').textContent()).toContain('system');
    await screenshot(lee, 'admin-policy-versions');
  });

  it('shows syntax errors with file and line numbers and keeps the text', async () => {
    await lee.goto(`${base}/console/policy/propose`);
    await lee.getByLabel('What and why').fill('broken on purpose');
    await lee.getByLabel(/^File name/).fill('broken.cedar');
    await lee.getByLabel('Contents').fill('// maintenance\n\npermit (principal, action, resource) when { principal.kind == };\n');
    await lee.getByRole('button', { name: 'Propose' }).click();
    await lee.locator('#issues').waitFor();
    expect(await lee.locator('#issues').textContent()).toMatch(/broken\.cedar:3:\d+: /);
    expect(await lee.getByRole('alert').textContent()).toContain('1 error');
    expect(await lee.getByLabel('Contents').inputValue()).toContain('principal.kind ==');
    await screenshot(lee, 'admin-propose-errors');
  });

  it('shows the failing policy tests of a change that breaks them', async () => {
    await lee.goto(`${base}/console/policy/propose`);
    await lee.getByLabel('What and why').fill('freeze radiology');
    await lee.getByLabel(/^File name/).fill('freeze.cedar');
    await lee.getByLabel('Contents').fill(FREEZE_CEDAR.replace('Target::"pacs-frozen"', 'Target::"pacs-rad"'));
    await lee.getByRole('button', { name: 'Propose' }).click();
    await lee.locator('#failed-tests').waitFor({ timeout: 20_000 }).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\n${lee.url()}\n${(await lee.locator('main').textContent())?.slice(0, 800)}`);
    });
    expect(await lee.locator('#failed-tests').textContent()).toContain('clinician queries a study of their own department');
  });

  it('admin A proposes a change, sees its diff and its impact, and cannot approve it herself', async () => {
    await lee.goto(`${base}/console/policy/propose`);
    await lee.getByLabel('What and why').fill('freeze pacs-frozen for maintenance');
    await lee.getByLabel(/^File name/).fill('freeze.cedar');
    await lee.getByLabel('Contents').fill(FREEZE_CEDAR);
    await lee.getByRole('button', { name: 'Propose' }).click();
    await lee.waitForURL(/\/console\/policy\/versions\/[0-9a-f]{64}\?notice=proposed/);
    versionUrl = lee.url().replace(/\?.*$/, '');
    expect(await lee.locator('#state').textContent()).toBe('proposed');
    expect(await lee.locator('#notice').textContent()).toContain('Another administrator must approve it');
    expect(await lee.locator('#diff-summary').textContent()).toContain('1 added');
    expect(await lee.getByRole('heading', { name: /added: freeze-pacs-frozen/ }).count()).toBe(1);
    await screenshot(lee, 'admin-version-proposed');

    await broker.audit.flush();
    await new Promise((r) => setTimeout(r, 400)); // facts are written in batches every 250 ms
    await lee.getByRole('link', { name: 'Preview the impact on recent decisions' }).click();
    await lee.locator('#impact-summary').waitFor();
    expect(await lee.locator('#impact-summary').textContent()).toMatch(/[1-9]\d* would be newly denied, 0 newly allowed/);
    expect(await lee.locator('#by-action').textContent()).toContain('dicomweb.query');
    expect(await lee.locator('#principals-denied').textContent()).toContain('Radgate::User::"alice"');
    expect(await lee.locator('#resources-denied').textContent()).toContain('Radgate::Study::"1.2.3.4"');
    await screenshot(lee, 'admin-impact');

    await lee.goto(versionUrl);
    await lee.getByRole('button', { name: 'Approve and activate' }).click();
    await lee.getByRole('alert').waitFor();
    expect(await lee.getByRole('alert').textContent()).toContain('you proposed this change, so another administrator must approve it');
    expect(await lee.locator('#state').textContent()).toBe('proposed');
    await screenshot(lee, 'admin-self-approval-refused');
  });

  it('refuses a form post with a stale CSRF token', async () => {
    const res = await lee.request.post(`${versionUrl}/approve`, { form: { _csrf: 'stale-token-from-an-old-session' }, headers: { Origin: base, Accept: 'application/json' }, maxRedirects: 0 });
    expect(res.status()).toBe(403);
    expect(await res.json()).toMatchObject({ status: 403 });
    expect((await broker.store.policyVersions.get(versionUrl.split('/').pop()!))?.state).toBe('proposed');
  });

  it('admin B approves with a security-key step-up; the change is active and the live session it denies is cut', async () => {
    okafor = await pageFor('Chris Okafor', '/console');
    await okafor.goto(versionUrl);
    expect(await okafor.locator('#author').textContent()).not.toBe('');
    // Let B's sign-in verification age past the step-up window (4 s in this test).
    await new Promise((r) => setTimeout(r, 4500));
    await okafor.getByRole('button', { name: 'Approve and activate' }).click();
    await okafor.waitForURL(/\/auth\/step-up/);
    await okafor.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await okafor.getByRole('button', { name: 'Use security key' }).click();
    await okafor.waitForURL(versionUrl);
    const t0 = Date.now();
    await okafor.getByRole('button', { name: 'Approve and activate' }).click();
    await okafor.waitForURL(/notice=activated/);
    expect(await okafor.locator('#state').textContent()).toBe('active');
    expect(await okafor.locator('#approved-by').textContent()).not.toBe('–');
    const id = versionUrl.split('/').pop()!;
    expect(broker.policy.active?.version).toBe(id.slice(0, 12));
    const { at, reason } = await cut;
    expect(reason).toBe(`policy-activated:${id.slice(0, 12)}`);
    expect(at - t0).toBeLessThan(1000);
    expect(broker.policy.authorize(clinicianQuery.principal, 'dicomweb.query', clinicianQuery.resource, clinicianQuery.context).reasons).toEqual(['target-frozen']);
    await screenshot(okafor, 'admin-version-activated');
    await broker.audit.flush();
    const activation = (await broker.store.audit.query({ type: 'policy.activate', limit: 5 }))[0]!;
    const detail = JSON.parse(activation.detail) as Record<string, unknown>;
    expect(detail.author).not.toEqual(detail.approver);
    expect(String(detail.diffText)).toContain('freeze-pacs-frozen');
  });

  it('explains a decision with the deciding policy highlighted', async () => {
    const entities = JSON.stringify([clinicianQuery.principal, clinicianQuery.resource]);
    const q = new URLSearchParams({ principal: 'User::"alice"', action: 'dicomweb.query', resource: 'Study::"1.2.3.4"', entities, context: JSON.stringify(clinicianQuery.context) });
    await lee.goto(`${base}/console/explain?${q}`);
    expect(await lee.getByRole('heading', { name: 'Decision: deny' }).count()).toBe(1);
    expect(await lee.locator('#reasons').textContent()).toContain('target-frozen');
    expect(await lee.locator('pre.policy mark').first().textContent()).toContain('freeze-pacs-frozen');
    await screenshot(lee, 'admin-explain');
    await lee.goto(`${base}/console/explain?principal=nonsense&resource=Study::%221%22`);
    expect(await lee.getByRole('alert').textContent()).toContain('principal: expected an entity uid');
  });

  it('lists devices, users and live sessions', async () => {
    await lee.goto(`${base}/console/users`);
    expect(await lee.locator('tbody').textContent()).toContain('Chris Okafor');
    await screenshot(lee, 'admin-users');
    await lee.goto(`${base}/console/devices`);
    expect(await lee.getByRole('table').getByText('Enrolled devices').count()).toBe(1);
    await screenshot(lee, 'admin-devices');
    await lee.goto(`${base}/console/sessions`);
    expect(await lee.locator('#no-sessions').textContent()).toContain('No open sessions');
    await screenshot(lee, 'admin-sessions');
  });

  it('searches the audit log with the chain status, pages and exports JSON lines', async () => {
    await lee.goto(`${base}/console/audit?type=policy.activate&verify=1`);
    expect(await lee.locator('#chain-status').textContent()).toMatch(/^Verified: \d+ events/);
    expect(await lee.locator('#audit-rows').textContent()).toContain('policy.activate');
    await screenshot(lee, 'admin-audit');
    await lee.goto(`${base}/console/audit?type=decision&limit=2`);
    expect(await lee.locator('#audit-rows tr').count()).toBe(2);
    await lee.getByRole('link', { name: 'Older events' }).click();
    expect(await lee.locator('#audit-rows tr').count()).toBe(2);
    const exp = await lee.request.get(`${base}/console/audit/export?type=policy.propose`);
    expect(exp.headers()['content-type']).toContain('application/x-ndjson');
    const lines = (await exp.text()).trim().split('\n').map((l) => JSON.parse(l) as { type: string; detail: { version?: string } });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.every((l) => l.type === 'policy.propose')).toBe(true);
  });

  it('refuses hostile audit searches with clear 400s, and binds SQL-ish text as a value', async () => {
    const get = (qs: string) => lee.request.get(`${base}/admin/api/audit?${qs}`);
    const sqlish = await get(`user=${encodeURIComponent("' OR 1=1 --")}`);
    expect(sqlish.status()).toBe(200);
    expect((await sqlish.json()).events).toEqual([]);
    for (const [qs, msg] of [
      ['since=2020-01-01&until=2025-01-01', 'at most 92 days'],
      ['since=2025-13-45', 'since: not a valid date'],
      ['since=yesterday', 'since: a date like'],
      ['limit=100000', 'limit: 1-200'],
      ['study=1.2.3%27%3B%20DROP%20TABLE%20audit_events', 'study: a DICOM UID'],
      ['type=decision&type=policy.propose', 'type: give it once'],
      ['q=1%3BDROP', 'unknown parameter'],
      ['outcome=maybe', 'outcome: one of'],
      ['before=-1', 'before: a positive event number'],
    ] as const) {
      const res = await get(qs);
      expect(res.status(), qs).toBe(400);
      expect(res.headers()['content-type']).toContain('application/problem+json');
      expect((await res.json()).detail ?? (await res.json()).title, qs).toContain(msg);
    }
    await lee.goto(`${base}/console/audit?since=2020-01-01&until=2025-01-01`);
    expect(await lee.getByRole('alert').textContent()).toContain('at most 92 days');
  });

  it('lets an auditor read the audit and sessions but refuses every write', async () => {
    auditor = await pageFor('Pat Ng', '/console/audit');
    await auditor.waitForURL(/\/console\/audit/);
    expect(await auditor.locator('#who').textContent()).toContain('auditor, read-only');
    await auditor.goto(`${base}/console/audit?type=policy.activate`);
    expect(await auditor.locator('#audit-rows').textContent()).toContain('policy.activate');
    await auditor.goto(`${base}/console/sessions`);
    expect(await auditor.getByRole('heading', { name: 'Live sessions' }).count()).toBe(1);
    await auditor.goto(versionUrl);
    expect(await auditor.getByRole('button', { name: /Approve|rollback/i }).count()).toBe(0);
    await screenshot(auditor, 'admin-auditor-version');
    const csrf = (await auditor.locator('input[name=_csrf]').first().getAttribute('value'))!;
    const seedId = (await broker.store.policyVersions.list()).find((v) => v.state === 'superseded')!.id;
    const post = (path: string, form: Record<string, string> = {}) => auditor.request.post(`${base}${path}`, { form: { _csrf: csrf, ...form }, headers: { Origin: base, Accept: 'application/json' }, maxRedirects: 0 });
    for (const path of [`/console/policy/versions/${seedId}/rollback`, `/console/policy/versions/${seedId}/approve`, '/console/policy/propose', '/console/sessions/x/terminate', '/console/users/u/disable-form', '/console/users/u/reset-key', '/console/devices/d/revoke-form']) {
      const res = await post(path, { message: 'm', name: 'a.cedar', text: 'x' });
      expect(res.status(), path).toBe(403);
    }
    const api = await auditor.request.post(`${base}/admin/api/policy/versions`, { data: { files: {}, message: 'x' }, headers: { Origin: base, 'X-CSRF-Token': csrf } });
    expect(api.status()).toBe(403);
    expect((await auditor.request.get(`${base}/console/policy/propose`)).status()).toBe(403);
    await broker.audit.flush();
    const denied = await broker.store.audit.query({ type: 'admin.write', limit: 50 });
    expect(denied.length).toBeGreaterThanOrEqual(8);
    expect(denied.every((r) => r.outcome === 'deny')).toBe(true);
  });
});
