// `radgate login` as a separate process against the real broker: the RFC 8252 loopback
// flow and the device-code flow, completed in Chromium by a signed-in user with a key.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addVirtualAuthenticator, launchBrowser, newContext } from '../helpers/browser.js';
import { runCli, runCliToEnd } from '../helpers/cliProcess.js';
import { signInWithKey, startIdentityStack, type IdentityStack } from '../helpers/identityStack.js';
import { tmpHome } from '../helpers/tmpHome.js';

describe('agent login against the real broker', () => {
  let stack: IdentityStack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    stack = await startIdentityStack();
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await addVirtualAuthenticator(page);
    await signInWithKey(page, stack.base);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('signs the agent in through the loopback redirect (RFC 8252) and logs out server-side', async () => {
    const agentHome = tmpHome('radgate-agent-');
    const env = { RADGATE_AGENT_HOME: agentHome };
    const login = runCli(['login', '--server', stack.base, '--ca', stack.rootPemFile, '--no-browser'], env);
    const [, url] = await login.waitFor(/(https:\/\/localhost:\d+\/agent\/authorize\?\S+)/);
    await page.goto(url!);
    await page.getByRole('button', { name: 'Approve' }).click();
    expect(await login.exited).toBe(0);
    expect(login.stdout).toMatch(/Signed in to https:\/\/localhost:\d+ as Dr\. Alex Rivera/);
    expect(statSync(path.join(agentHome, 'session.json')).mode & 0o777).toBe(0o600);

    // The broker runs in this process: CLI calls must not block its event loop (no spawnSync).
    const who = await runCliToEnd(['whoami', '--json'], env);
    expect(who.status).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ user: { displayName: 'Dr. Alex Rivera' } });

    const out = await runCliToEnd(['logout'], env);
    expect(out.stdout).toMatch(/Logged out of/);
    const rows = await stack.broker.store.sessions.listForUser((JSON.parse(who.stdout) as { user: { id: string } }).user.id, { includeEnded: true });
    expect(rows.find((s) => s.kind === 'agent')?.state).toBe('ended');
    expect((await runCliToEnd(['whoami'], env)).status).not.toBe(0);
  });

  it('signs a headless agent in with a device code the user approves in a browser (RFC 8628)', async () => {
    const env = { RADGATE_AGENT_HOME: tmpHome('radgate-agent-') };
    const login = runCli(['login', '--server', stack.base, '--ca', stack.rootPemFile, '--device'], env);
    const [, code] = await login.waitFor(/enter the code:\s+([A-Z]{4}-[A-Z]{4})/);
    await page.goto(`${stack.base}/agent/device`);
    await page.getByLabel('Code shown by the radgate agent').fill(code!);
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('.code').textContent()).toBe(code);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('The device is signed in').waitFor();
    expect(await login.exited).toBe(0);
    expect(login.stdout).toMatch(/Signed in to .* as Dr\. Alex Rivera/);
  }, 60_000);

  it('refuses the token endpoint a replayed or forged device code with an OAuth error', async () => {
    const res = await fetchJson(stack, '/agent/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'x'.repeat(43) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: expect.stringMatching(/invalid_grant|expired_token/) });
  });
});

async function fetchJson(stack: IdentityStack, p: string, body: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const { request } = await import('node:https');
  const { readFileSync } = await import('node:fs');
  return new Promise((resolve, reject) => {
    const req = request(`${stack.base}${p}`, { method: 'POST', ca: readFileSync(stack.rootPemFile), headers: { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as unknown }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
