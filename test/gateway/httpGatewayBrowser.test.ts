// The browser way into the DICOMweb gateway: Debian Chromium signs in at the broker (dev
// IdP + a virtual security key), then reaches a real Orthanc through the gateway with its
// session cookie and no client certificate: it may view, not export; logout cuts it.
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadStudies, makeSyntheticStudy, type SyntheticStudies } from '../../src/gateway/demoPacs/index.js';
import { startBroker, type Broker } from '../../src/server.js';
import { addVirtualAuthenticator, launchBrowser, newContext, screenshot } from '../helpers/browser.js';
import { describeWithOrthanc, withOrthanc, type TestOrthanc } from '../helpers/orthanc.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';

describeWithOrthanc('DICOMweb gateway with a signed-in Chromium (no client certificate)', () => {
  let broker: Broker;
  let orthanc: TestOrthanc;
  let data: SyntheticStudies;
  let browser: Browser;
  let page: Page;
  let slow: Server;
  let gwUrl: string;
  const home = tmpHome('radgate-gwb-');
  const dataDir = tmpHome('radgate-gwb-synth-');

  beforeAll(async () => {
    [orthanc, data] = await Promise.all([withOrthanc(), makeSyntheticStudy({ dir: dataDir, studies: 2, seriesPerStudy: 1, instancesPerSeries: 1, seed: 3 })]);
    await loadStudies(orthanc, data.files);
    // A PACS that starts a download and then stalls, to have one in flight at logout.
    slow = createServer((req, res) => {
      if (req.url?.includes('/studies?')) {
        res.writeHead(200, { 'content-type': 'application/dicom+json' });
        res.end('[]');
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' });
      res.write(Buffer.alloc(64, 7));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    broker = await startBroker(testConfig(home, { 'listen.control.port': await freePort(), 'dev.idp.enabled': true, 'gateways.http.listen.port': await freePort() }), {
      extraHttpTargets: [
        { name: 'pacs-rad', upstream: orthanc.httpUrl, root: '/dicom-web', upstreamRoot: '/dicom-web', authorization: orthanc.authorization, department: 'radiology' },
        { name: 'pacs-slow', upstream: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`, root: '/slow/dicom-web', upstreamRoot: '/dicom-web', authorization: 'Basic eDp5', department: 'radiology' },
      ],
    });
    gwUrl = broker.httpGateway!.url;
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await addVirtualAuthenticator(page);
    await page.goto(`${broker.url}/`);
    await page.getByRole('link', { name: /Sign in with Development IdP/ }).click();
    await page.getByRole('button', { name: /Sign in as Dr\. Alex Rivera/ }).click();
    await page.waitForURL(/\/auth\/key/);
    await page.getByRole('button', { name: 'Register security key' }).click();
    await page.waitForURL(`${broker.url}/me`);
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    slow?.closeAllConnections();
    slow?.close();
    await orthanc?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('lists only the radiologist’s studies and shows a rendered image', async () => {
    const radiology = data.studies.find((s) => s.department === 'Radiology')!;
    const res = await page.goto(`${gwUrl}/dicom-web/studies`);
    expect(res?.status()).toBe(200);
    const body = JSON.parse(await page.locator('body').innerText()) as Array<Record<string, { Value?: unknown[] }>>;
    expect(body.map((s) => s['0020000D']?.Value?.[0])).toEqual([radiology.studyUid]);
    const inst = radiology.series[0]!.instances[0]!;
    // As a viewer does: fetch the rendered frame (same origin, with the cookie) and show it.
    const shown = await page.evaluate(async (u) => {
      const r = await fetch(u, { headers: { accept: 'image/png' } });
      const blob = await r.blob();
      // Runs in the page; the test project has no DOM typings.
      const document = (globalThis as unknown as { document: { createElement(t: 'img'): { src: string; naturalWidth: number; decode(): Promise<void> }; body: { replaceChildren(n: unknown): void } } }).document;
      const img = document.createElement('img');
      img.src = URL.createObjectURL(blob);
      document.body.replaceChildren(img);
      await img.decode();
      return { status: r.status, type: r.headers.get('content-type'), width: img.naturalWidth };
    }, `/dicom-web/studies/${inst.studyUid}/series/${inst.seriesUid}/instances/${inst.sopUid}/rendered`);
    expect(shown).toMatchObject({ status: 200, type: 'image/png' });
    expect(shown.width).toBeGreaterThan(0);
    await screenshot(page, 'gateway-rendered-in-browser');
    // The demo prints this link: a plain navigation (Accept: text/html,…,*/*) shows the image.
    const nav = await page.goto(`${gwUrl}/dicom-web/studies/${inst.studyUid}/series/${inst.seriesUid}/instances/${inst.sopUid}/rendered`);
    expect(nav?.status()).toBe(200);
    expect(nav?.headers()['content-type']).toMatch(/^image\/(jpeg|png)$/);
  });

  it('refuses the browser a whole-study export (unmanaged device)', async () => {
    const study = data.studies.find((s) => s.department === 'Radiology')!;
    const res = await page.goto(`${gwUrl}/dicom-web/studies/${study.studyUid}`);
    expect(res?.status()).toBe(403);
    expect(JSON.parse(await page.locator('body').innerText())).toMatchObject({ reason: 'policy-denied', reasons: ['browser-bulk-export'] });
  });

  it('cuts the browser’s download within 1 s when the user signs out', async () => {
    const study = data.studies.find((s) => s.department === 'Radiology')!;
    const inst = study.series[0]!.instances[0]!;
    await page.goto(`${gwUrl}/dicom-web/studies`);
    const url = `/slow/dicom-web/studies/${inst.studyUid}/series/${inst.seriesUid}/instances/${inst.sopUid}/rendered`;
    // Same origin as the gateway: the fetch carries the session cookie and streams.
    const download = page.evaluate(async (u) => {
      const r = await fetch(u);
      const reader = r.body!.getReader();
      await reader.read();
      (globalThis as unknown as { firstChunk: boolean }).firstChunk = true;
      try {
        for (;;) {
          const x = await reader.read();
          if (x.done) return { ended: 'end', at: Date.now() };
        }
      } catch {
        return { ended: 'cut', at: Date.now() };
      }
    }, url);
    await page.waitForFunction(() => (globalThis as unknown as { firstChunk?: boolean }).firstChunk === true);
    expect(broker.liveSessions.list().some((l) => l.gateway === 'http' && l.target.startsWith('pacs-slow'))).toBe(true);

    const control = await page.context().newPage();
    await control.goto(`${broker.url}/me`);
    const token = await control.locator('meta[name="csrf-token"]').getAttribute('content');
    const loggedOutAt = Date.now();
    const out = await control.context().request.post(`${broker.url}/auth/logout`, { headers: { Origin: broker.url, 'X-CSRF-Token': token ?? '' }, maxRedirects: 0 });
    expect(out.status()).toBeLessThan(400);
    const result = await download;
    expect(result.ended).toBe('cut');
    expect(result.at - loggedOutAt).toBeLessThan(1000);
    await broker.audit.flush();
    const cuts = await broker.store.audit.query({ type: 'gateway.session.cut', limit: 10 });
    expect(cuts.some((r) => r.detail.includes('login-session-ended'))).toBe(true);
    // And the next request from the browser is refused.
    const after = await page.goto(`${gwUrl}/dicom-web/studies`);
    expect(after?.status()).toBe(403);
  });
});
