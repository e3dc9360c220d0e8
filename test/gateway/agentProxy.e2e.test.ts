// `radgate proxy` end to end with real processes: a radiologist signs in (Chromium +
// security key), the built agent logs in, enrols and reports posture, then serves the
// broker's DICOMweb gateway on a plain-HTTP loopback port for a local viewer; requests
// go over mTLS with the device's certificate to a real Orthanc and are filtered by policy.
import { request } from 'node:http';
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadStudies, makeSyntheticStudy, type SyntheticStudies } from '../../src/gateway/demoPacs/index.js';
import { addVirtualAuthenticator, launchBrowser, newContext } from '../helpers/browser.js';
import { runCli, runCliToEnd, type RunningCli } from '../helpers/cliProcess.js';
import { approveAgentLogin, signInWithKey, startIdentityStack, type IdentityStack } from '../helpers/identityStack.js';
import { describeWithOrthanc, withOrthanc, type TestOrthanc } from '../helpers/orthanc.js';
import { freePort } from '../helpers/ports.js';
import { tmpHome } from '../helpers/tmpHome.js';

function get(url: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'application/dicom+json' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describeWithOrthanc('radgate proxy: a local viewer reaches the PACS through the agent', () => {
  let stack: IdentityStack;
  let orthanc: TestOrthanc;
  let data: SyntheticStudies;
  let browser: Browser;
  let page: Page;
  let proxy: RunningCli | undefined;
  const agentHome = tmpHome('radgate-proxy-agent-');
  const dataDir = tmpHome('radgate-proxy-synth-');
  const env = { RADGATE_AGENT_HOME: agentHome };

  beforeAll(async () => {
    [orthanc, data] = await Promise.all([withOrthanc(), makeSyntheticStudy({ dir: dataDir, studies: 2, seriesPerStudy: 1, instancesPerSeries: 1, seed: 3 })]);
    await loadStudies(orthanc, data.files);
    const [user, password] = Object.entries(orthanc.users)[0]!;
    stack = await startIdentityStack({
      'devices.autoApproveRoles': ['clinician'],
      'gateways.http.enabled': true,
      'gateways.http.listen.port': await freePort(),
      'gateways.http.targets': [{ name: 'pacs-rad', upstream: orthanc.httpUrl, username: user, password, department: 'radiology' }],
    });
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await addVirtualAuthenticator(page);
    await signInWithKey(page, stack.base);
    await approveAgentLogin(page, stack, env);
    expect((await runCliToEnd(['enroll', '--name', 'viewer-ws'], env)).status).toBe(0);
    expect((await runCliToEnd(['posture'], env)).status).toBe(0);
  }, 90_000);

  afterAll(async () => {
    proxy?.child.kill('SIGTERM');
    await browser?.close();
    await stack?.close();
    await orthanc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the gateway on a loopback port and the viewer sees only radiology studies', async () => {
    const port = await freePort();
    proxy = runCli(['proxy', '--target', 'pacs-rad', '--listen', `127.0.0.1:${port}`], env);
    const [, base] = await proxy.waitFor(/DICOMweb for pacs-rad: (http:\/\/127\.0\.0\.1:\d+\/dicom-web)/);
    const r = await get(`${base}/studies`);
    expect(r.status).toBe(200);
    const uids = (JSON.parse(r.body) as Array<Record<string, { Value?: unknown[] }>>).map((s) => s['0020000D']?.Value?.[0]);
    expect(uids).toEqual([data.studies.find((s) => s.department === 'Radiology')!.studyUid]);
    // The gateway saw the device's certificate, not a browser cookie.
    await stack.broker.audit.flush();
    const rows = await stack.broker.store.audit.query({ type: 'gateway.http.request', limit: 10 });
    const detail = JSON.parse(rows[0]!.detail) as Record<string, unknown>;
    expect(detail).toMatchObject({ via: 'certificate', route: 'qido.studies', status: 200 });
    expect(detail.serial).toMatch(/^[0-9A-F]+$/);
  });

  it('passes the gateway’s refusals through unchanged', async () => {
    const base = `http://127.0.0.1:${/127\.0\.0\.1:(\d+)/.exec(proxy!.stdout)![1]}/dicom-web`;
    const other = data.studies.find((s) => s.department !== 'Radiology')!;
    const r = await get(`${base}/studies/${other.studyUid}/metadata`);
    expect(r.status).toBe(403);
    expect(r.type).toBe('application/problem+json');
    const t = await get(`${base}/studies/1.2%2F3/metadata`);
    expect(t.status).toBe(400);
  });

  it('refuses a non-loopback listen address and an unknown target with a clear message', async () => {
    const wide = await runCliToEnd(['proxy', '--target', 'pacs-rad', '--listen', '0.0.0.0:0'], env);
    expect(wide.status).not.toBe(0);
    expect(wide.stderr).toMatch(/loopback only/);
    const unknown = await runCliToEnd(['proxy', '--target', 'nope', '--listen', '127.0.0.1:0'], env);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/no DICOMweb target "nope".*pacs-rad/);
  });
});
