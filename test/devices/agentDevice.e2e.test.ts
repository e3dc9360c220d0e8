// The devices issue end to end with real processes: a user signs in (Chromium + security
// key), the built `radgate` agent logs in, enrols, reports posture and gets a certificate
// that completes an mTLS handshake and passes `openssl verify`; after the device is revoked
// `openssl crl` lists the certificate's serial.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { createServer, connect, type TLSSocket } from 'node:tls';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addVirtualAuthenticator, launchBrowser, newContext } from '../helpers/browser.js';
import { runCli, runCliToEnd } from '../helpers/cliProcess.js';
import { approveAgentLogin, signInWithKey, startIdentityStack, type IdentityStack } from '../helpers/identityStack.js';
import { tmpHome } from '../helpers/tmpHome.js';

describe('agent device journey against the real broker', () => {
  let stack: IdentityStack;
  let browser: Browser;
  let page: Page;
  const agentHome = tmpHome('radgate-agent-');
  const env = { RADGATE_AGENT_HOME: agentHome };
  let cert: { serial: string; certificate: string; key: string; chain: string; deviceId: string };

  beforeAll(async () => {
    // Clinicians' devices are approved automatically here; others wait for an admin.
    stack = await startIdentityStack({ 'devices.autoApproveRoles': ['clinician'] });
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await addVirtualAuthenticator(page);
    await signInWithKey(page, stack.base);
    await approveAgentLogin(page, stack, env);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('enrols the device with a signed request and a 0600 private key', async () => {
    const r = await runCliToEnd(['enroll', '--name', 'reading-room-3', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { deviceId: string; state: string };
    expect(out.state).toBe('active');
    expect(statSync(path.join(agentHome, 'device-key.pem')).mode & 0o777).toBe(0o600);
    const row = await stack.broker.store.devices.get(out.deviceId);
    expect(row?.state).toBe('active');
  });

  it('reports posture collected on this machine, signed and bound to a server nonce', async () => {
    const r = await runCliToEnd(['posture', '--json'], env);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { tier: string };
    expect(['high', 'standard', 'low', 'untrusted']).toContain(out.tier);
    const device = (await stack.broker.store.devices.list({ limit: 10 }))[0]!;
    const latest = await stack.broker.store.devices.latestPosture(device.id);
    const signals = JSON.parse(latest!.signals) as Record<string, { status: string; value: unknown }>;
    expect(signals.kernel).toMatchObject({ status: 'ok', value: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim() });
  });

  it('gets a short-lived certificate that completes an mTLS handshake and passes openssl verify', async () => {
    const r = await runCliToEnd(['cert', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    const files = { certificate: out.certificateFile ?? out.certFile ?? '', key: out.keyFile ?? '', chain: out.chainFile ?? '' };
    expect(files.certificate).not.toBe('');
    cert = {
      serial: out.serial!,
      certificate: readFileSync(files.certificate, 'utf8'),
      key: readFileSync(files.key, 'utf8'),
      chain: readFileSync(files.chain || files.certificate, 'utf8'),
      deviceId: (await stack.broker.store.devices.list({ limit: 1 }))[0]!.id,
    };
    expect(statSync(files.key).mode & 0o777).toBe(0o600);

    const dir = stack.home;
    const inter = path.join(dir, 'intermediate.pem');
    const leaf = path.join(dir, 'leaf.pem');
    writeFileSync(inter, stack.broker.ca.chainPem().split(/(?=-----BEGIN CERTIFICATE-----)/)[0]!);
    writeFileSync(leaf, cert.certificate);
    const verify = execFileSync('openssl', ['verify', '-CAfile', stack.rootPemFile, '-untrusted', inter, '-purpose', 'sslclient', leaf], { encoding: 'utf8' });
    expect(verify.trim()).toBe(`${leaf}: OK`);

    const creds = await stack.broker.ca.serverCredentials();
    const server = createServer({ cert: creds.cert, key: creds.key, ca: stack.broker.ca.trustPem(), requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' });
    const seen = new Promise<string>((resolve) => server.on('secureConnection', (s: TLSSocket) => resolve(s.getPeerX509Certificate()?.subjectAltName ?? '')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: stack.broker.ca.rootPem(), cert: cert.chain.includes(cert.certificate.trim()) ? cert.chain : cert.certificate + cert.chain, key: cert.key }, () => {
        s.end();
        resolve();
      });
      s.on('error', reject);
    });
    expect(await seen).toContain(`urn:radgate:device:${cert.deviceId}`);
    server.close();
  });

  it('revokes the device through the admin API and the CRL lists the certificate serial', async () => {
    const now = Date.now();
    const admin = await stack.broker.store.users.upsertFromIdp({ id: 'u-admin', issuer: 'https://idp.test', subject: 'admin', kind: 'workforce', roles: '["admin"]', createdAt: now, updatedAt: now });
    const user = (await stack.broker.identity.sessions.getUser(admin.id))!;
    const { token } = await stack.broker.identity.sessions.createSession({ user, kind: 'agent', idp: 'test', amr: ['oidc', 'webauthn'], idpSid: null, oidcAt: now, state: 'active', verifiedAt: now, credentialId: 'k' });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${stack.base}/admin/devices/${cert.deviceId}/revoke`, { method: 'POST', ca: stack.broker.ca.rootPem(), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(200);
    expect(stack.broker.ca.isRevoked(cert.serial)).toBe(true);
    const crlFile = path.join(stack.home, 'now.crl');
    writeFileSync(crlFile, await stack.broker.ca.crlDer());
    const text = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text'], { encoding: 'utf8' });
    expect(text.replace(/\s/g, '')).toContain(`SerialNumber:${cert.serial.toUpperCase()}`);
  });
});
