// Debian's Chromium driven by playwright-core (never a downloaded browser), with a CDP
// virtual authenticator for WebAuthn ceremonies.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { REPO_ROOT } from './tmpHome.js';

const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];

export function chromiumPath(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('Chromium is not installed: run deploy/setup.sh (apt-get install chromium)');
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
  credentials(): Promise<{ credentialId: string; signCount: number; rpId?: string }[]>;
  remove(): Promise<void>;
}

/** Adds a CTAP2 USB security key with resident keys and user verification to the page. */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    authenticatorId,
    async credentials() {
      const r = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return r.credentials.map((c) => ({ credentialId: c.credentialId, signCount: c.signCount, ...(c.rpId ? { rpId: c.rpId } : {}) }));
    },
    async remove() {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    },
  };
}

/** A context that trusts radgate's own CA by ignoring HTTPS errors (origin stays https://localhost). */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true });
}

/** Screenshots are test artifacts, never committed (test-artifacts/ is git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
