// A real oidc-provider plus a real broker configured to trust it, and the browser steps
// that sign a demo user in with OIDC and a virtual security key.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO_ROLE_MAP } from '../../src/identity/devIdp/index.js';
import { startBroker, type Broker } from '../../src/server.js';
import { startOidcProvider, type TestOidcProvider } from './oidcProvider.js';
import { freePort } from './ports.js';
import { testConfig, tmpHome } from './tmpHome.js';

export interface IdentityStack {
  idp: TestOidcProvider;
  broker: Broker;
  base: string;
  home: string;
  /** radgate's root CA certificate written to a file (for agents and curl). */
  rootPemFile: string;
  close(): Promise<void>;
}

export async function startIdentityStack(overrides: Record<string, unknown> = {}): Promise<IdentityStack> {
  const port = await freePort();
  const base = `https://localhost:${port}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const idp = await startOidcProvider({ clients: [{ clientId: 'radgate', clientSecret, redirectUris: [`${base}/auth/callback`] }] });
  const home = tmpHome();
  const broker = await startBroker(
    testConfig(home, {
      'listen.control.port': port,
      'identity.idps': [
        { name: 'hospital', displayName: 'Hospital IdP', issuer: idp.issuer, clientId: 'radgate', clientSecret, allowInsecureHttp: true, algorithms: ['ES256', 'RS256'], claims: { kind: 'kind' }, roleMap: DEMO_ROLE_MAP },
      ],
      ...overrides,
    }),
  );
  const rootPemFile = path.join(home, 'root.pem');
  writeFileSync(rootPemFile, broker.ca.rootPem());
  return {
    idp,
    broker,
    base,
    home,
    rootPemFile,
    async close() {
      await broker.close();
      await idp.stop();
    },
  };
}

/** OIDC at the IdP as `demoUserName`, then register (first time) or use the page's virtual key. */
export async function signInWithKey(page: Page, base: string, demoUserName = 'Dr. Alex Rivera', returnTo = '/me'): Promise<void> {
  await page.goto(`${base}/auth/signin?return_to=${encodeURIComponent(returnTo)}`);
  await page.getByRole('link', { name: 'Sign in with Hospital IdP' }).click();
  const choice = page.getByRole('button', { name: new RegExp(`Sign in as ${demoUserName.replace(/\./g, '\\.')}`) });
  await Promise.race([choice.waitFor({ timeout: 10_000 }).then(() => choice.click()), page.waitForURL(/\/auth\/key/, { timeout: 10_000 })]);
  await page.waitForURL(/\/auth\/key/);
  const register = page.getByRole('button', { name: 'Register security key' });
  const use = page.getByRole('button', { name: 'Use security key' });
  await Promise.race([register.waitFor(), use.waitFor()]);
  if (await register.isVisible()) await register.click();
  else await use.click();
  await page.waitForURL((u) => !u.pathname.startsWith('/auth/'));
}

/** `radgate login` (built CLI) approved in the page's signed-in browser session; resolves when the agent is signed in. */
export async function approveAgentLogin(page: Page, stack: Pick<IdentityStack, 'base' | 'rootPemFile'>, env: Record<string, string>): Promise<void> {
  const { runCli } = await import('./cliProcess.js');
  const login = runCli(['login', '--server', stack.base, '--ca', stack.rootPemFile, '--no-browser'], env);
  const [, url] = await login.waitFor(/(https:\/\/localhost:\d+\/agent\/authorize\?\S+)/);
  await page.goto(url!);
  await page.getByRole('button', { name: 'Approve' }).click();
  const code = await login.exited;
  if (code !== 0) throw new Error(`radgate login exited ${code}: ${login.stderr}`);
}
