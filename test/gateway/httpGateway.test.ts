// The DICOMweb gateway end to end: a real broker (store, audit, CA, policy, sessions,
// devices), a real Orthanc with synthetic studies of four departments, and clients with
// certificates the broker's CA issued (node:https and curl), plus bad input on raw TLS.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadStudies, makeSyntheticStudy, type SyntheticStudies } from '../../src/gateway/demoPacs/index.js';
import { createHttpGateway, type HttpGateway, type HttpGatewayOptions } from '../../src/gateway/http/index.js';
import { csrfToken, SESSION_COOKIE } from '../../src/identity/index.js';
import { startBroker, type Broker } from '../../src/server.js';
import { issueCert, makeCaller, type ClientCert } from '../helpers/dataplaneCaller.js';
import { describeWithOrthanc, withOrthanc, type TestOrthanc } from '../helpers/orthanc.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

type Json = Array<Record<string, { Value?: unknown[] }>>;

describeWithOrthanc('DICOMweb gateway in front of a real Orthanc', () => {
  let broker: Broker;
  let orthanc: TestOrthanc;
  let data: SyntheticStudies;
  let stowData: SyntheticStudies;
  let gw: HttpGateway;
  let alice: ClientCert; // radiology clinician
  let carol: ClientCert; // cardiology clinician
  let tess: ClientCert; // radiology technologist
  const home = tmpHome('radgate-gw-');
  const dataDir = tmpHome('radgate-gw-synth-');
  const extraGateways: HttpGateway[] = [];
  const extraServers: HttpServer[] = [];
  let radiology: SyntheticStudies['studies'][number];
  let cardiology: SyntheticStudies['studies'][number];

  const clinician = (name: string, department: string, roles = ['clinician']) => makeCaller(broker, { name, department, roles, dir: home });

  function gatewayOptions(over: Partial<HttpGatewayOptions> = {}): HttpGatewayOptions {
    return {
      broker,
      listen: { host: '127.0.0.1', port: 0 },
      targets: [{ name: 'pacs-rad', upstream: orthanc.httpUrl, root: '/dicom-web', upstreamRoot: '/dicom-web', authorization: orthanc.authorization, department: 'radiology', site: 'main' }],
      auditCoalesceMs: 0,
      ...over,
    };
  }

  async function fakeUpstream(handler: Parameters<typeof createHttpServer>[1]): Promise<string> {
    const s = createHttpServer(handler);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    extraServers.push(s);
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }

  async function extraGateway(over: Partial<HttpGatewayOptions>): Promise<HttpGateway> {
    const g = await createHttpGateway(gatewayOptions(over));
    extraGateways.push(g);
    return g;
  }

  function call(p: string, who: ClientCert | undefined, o: { method?: string; port?: number; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Res> {
    return new Promise((resolve, reject) => {
      // Options, not a URL string: WHATWG URL parsing would resolve `..` before sending.
      const req = request(
        {
          host: '127.0.0.1',
          port: o.port ?? gw.port,
          servername: 'localhost',
          path: p,
          method: o.method ?? 'GET',
          agent: false,
          ca: broker.ca.rootPem(),
          ...(who ? { cert: who.cert, key: who.key } : {}),
          headers: { accept: 'application/dicom+json', ...o.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(o.body);
    });
  }

  /** Raw bytes over TLS with alice's certificate; resolves with everything the gateway sent before closing. */
  function raw(bytes: string, o: { port?: number; who?: ClientCert; waitMs?: number } = {}): Promise<{ text: string; closedAfterMs: number }> {
    const who = o.who ?? alice;
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const s = tlsConnect({ host: '127.0.0.1', port: o.port ?? gw.port, servername: 'localhost', ca: broker.ca.rootPem(), cert: who.cert, key: who.key }, () => {
        if (bytes) s.write(bytes);
      });
      let text = '';
      s.on('data', (c: Buffer) => (text += c.toString('latin1')));
      s.on('error', () => undefined);
      s.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
      setTimeout(() => {
        s.destroy();
        reject(new Error(`connection still open after ${o.waitMs ?? 10_000} ms; got: ${text.slice(0, 200)}`));
      }, o.waitMs ?? 10_000).unref();
    });
  }

  const auditDetails = async (type: string) => {
    await broker.audit.flush();
    const rows = await broker.store.audit.query({ type, limit: 1000 });
    return rows.map((r) => JSON.parse(r.detail) as Record<string, unknown>);
  };

  beforeAll(async () => {
    [broker, orthanc, data, stowData] = await Promise.all([
      freePort().then((port) => startBroker(testConfig(home, { 'listen.control.port': port }))),
      withOrthanc(),
      makeSyntheticStudy({ dir: dataDir, studies: 4, seriesPerStudy: 1, instancesPerSeries: 2, seed: 3 }),
      makeSyntheticStudy({ dir: path.join(dataDir, 'stow'), studies: 1, seriesPerStudy: 1, instancesPerSeries: 1, seed: 88 }),
    ]);
    await loadStudies(orthanc, data.files);
    radiology = data.studies.find((s) => s.department === 'Radiology')!;
    cardiology = data.studies.find((s) => s.department === 'Cardiology')!;
    gw = await createHttpGateway(gatewayOptions({ listen: { host: '127.0.0.1', port: await freePort() }, auditCoalesceMs: 400, limits: { headersTimeoutMs: 1500 } }));
    [alice, carol, tess] = await Promise.all([clinician('alice', 'radiology'), clinician('carol', 'cardiology'), clinician('tess', 'radiology', ['technologist'])]);
  });

  afterAll(async () => {
    for (const g of extraGateways) await g.close();
    for (const s of extraServers) {
      s.closeAllConnections();
      s.close();
    }
    await gw?.close();
    await orthanc?.stop();
    await broker?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  // ---- allowed paths -------------------------------------------------------------

  it('QIDO /studies lists only the studies of the caller’s department (filtered while streaming)', async () => {
    const r = await call('/dicom-web/studies', alice);
    expect(r.status, r.text).toBe(200);
    expect(r.headers['set-cookie']).toBeUndefined();
    const uids = (JSON.parse(r.text) as Json).map((s) => s['0020000D']?.Value?.[0]);
    expect(uids).toEqual([radiology.studyUid]);
    // A browser asks for compression; the filtered answer still comes as readable JSON.
    const gz = await call('/dicom-web/studies', alice, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect((JSON.parse(gz.text) as Json).map((s) => s['0020000D']?.Value?.[0])).toEqual([radiology.studyUid]);
    const asCarol = (JSON.parse((await call('/dicom-web/studies', carol)).text) as Json).map((s) => s['0020000D']?.Value?.[0]);
    expect(asCarol).toEqual([cardiology.studyUid]);
    const rec = (await auditDetails('gateway.http.request')).find((d) => d.route === 'qido.studies' && (d.filtered as { passed?: number } | undefined)?.passed === 1);
    expect(rec?.filtered).toEqual({ passed: 1, withheld: 3 });
  });

  it('QIDO with a study filter decides that study before asking the PACS', async () => {
    expect((await call(`/dicom-web/studies?StudyInstanceUID=${radiology.studyUid}`, alice)).status).toBe(200);
    const r = await call(`/dicom-web/studies?StudyInstanceUID=${cardiology.studyUid}`, alice);
    expect(r.status).toBe(403);
  });

  it('WADO-RS metadata, instance (multipart), frames and rendered of an allowed study', async () => {
    const inst = radiology.series[0]!.instances[0]!;
    const base = `/dicom-web/studies/${inst.studyUid}/series/${inst.seriesUid}/instances/${inst.sopUid}`;
    const meta = await call(`${base}/metadata`, alice);
    expect(meta.status).toBe(200);
    expect((JSON.parse(meta.text) as Json)[0]?.['00080018']?.Value?.[0]).toBe(inst.sopUid);

    const whole = await call(base, alice, { headers: { accept: 'multipart/related; type="application/dicom"' } });
    expect(whole.status).toBe(200);
    expect(String(whole.headers['content-type'])).toMatch(/^multipart\/related/);
    expect(whole.body.includes(Buffer.from('DICM'))).toBe(true);

    const frames = await call(`${base}/frames/1`, alice, { headers: { accept: 'multipart/related; type="application/octet-stream"' } });
    expect(frames.status).toBe(200);
    expect(frames.body.length).toBeGreaterThan(100);

    const rendered = await call(`${base}/rendered`, alice, { headers: { accept: 'image/png' } });
    expect(rendered.status).toBe(200);
    expect(String(rendered.headers['content-type'])).toBe('image/png');
    expect(rendered.body.subarray(1, 4).toString()).toBe('PNG');
  });

  it('answers HEAD like GET without a body', async () => {
    const r = await call(`/dicom-web/studies/${radiology.studyUid}/metadata`, alice, { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
  });

  it('STOW-RS of a generated instance by a technologist with curl and a client certificate', async () => {
    const file = stowData.files[0]!;
    const boundary = `radgate-${randomBytes(8).toString('hex')}`;
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
      readFileSync(file),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const bodyFile = path.join(home, 'stow.body');
    const caFile = path.join(home, 'root.pem');
    writeFileSync(bodyFile, body);
    writeFileSync(caFile, broker.ca.rootPem());
    // Async: the gateway runs in this process, so a synchronous curl would deadlock it.
    const { stdout: out } = await promisify(execFile)('curl', [
      '-sS', '--cert', tess.certFile, '--key', tess.keyFile, '--cacert', caFile,
      '-H', `Content-Type: multipart/related; type="application/dicom"; boundary=${boundary}`,
      '-H', 'Accept: application/dicom+json',
      '--data-binary', `@${bodyFile}`, '-w', '\n%{http_code}',
      `https://localhost:${gw.port}/dicom-web/studies`,
    ]);
    const status = out.trim().split('\n').pop();
    expect(status, out).toBe('200');
    // The stored study carries its own department (from the instance): its clinicians find it.
    const stowed = stowData.studies[0]!;
    const who = stowed.department === 'Cardiology' ? carol : alice;
    const stored = await call(`/dicom-web/studies?StudyInstanceUID=${stowed.studyUid}`, who);
    expect(stored.status).toBe(200);
    expect((JSON.parse(stored.text) as Json).map((s) => s['0020000D']?.Value?.[0])).toEqual([stowed.studyUid]);
    const rec = (await auditDetails('gateway.http.request')).find((d) => d.route === 'stow.studies' && d.status === 200);
    expect(rec?.bytesIn).toBe(body.length);
  });

  it('refuses STOW by a clinician (no permit to write) without touching the PACS', async () => {
    const r = await call('/dicom-web/studies', alice, { method: 'POST', headers: { 'content-type': 'multipart/related; type="application/dicom"; boundary=x' }, body: Buffer.from('--x--\r\n') });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text)).toMatchObject({ reason: 'policy-denied' });
  });

  it('lets a clinician with a break-glass grant (grant-bound certificate) read another department’s study, and not without it', async () => {
    const g = await extraGateway({ grants: broker.access });
    const t = Date.now();
    const grantId = `grt_test_${randomBytes(4).toString('hex')}`;
    await broker.store.access.insertGrant({ id: grantId, requestId: null, userId: carol.userId, target: 'pacs-rad', startAt: t - 1000, endAt: t + 600_000, state: 'active', breakGlass: true, reason: 'trauma, on call', createdAt: t });
    const bound = await issueCert(broker, { userId: carol.userId, deviceId: carol.deviceId, sessionId: carol.sessionId, dir: home, grantId });
    const p = `/dicom-web/studies/${radiology.studyUid}/metadata`;
    expect((await call(p, carol, { port: g.port })).status).toBe(403);
    const r = await call(p, bound, { port: g.port });
    expect(r.status).toBe(200);
    const decisions = (await broker.store.audit.query({ type: 'decision', limit: 50 })).map((row) => JSON.parse(row.detail) as { policyIds: string[] });
    expect(decisions.some((d) => d.policyIds.includes('clinician-read-breakglass'))).toBe(true);
  });

  // ---- browser cookie path ---------------------------------------------------------

  it('accepts a browser session cookie as an unmanaged device: views, but no bulk export and no store', async () => {
    const user = (await broker.identity.sessions.getUser(alice.userId))!;
    const t = Date.now();
    const { token, session } = await broker.identity.sessions.createSession({ user, kind: 'browser', idp: 'test', amr: ['oidc', 'webauthn'], idpSid: null, oidcAt: t, state: 'active', verifiedAt: t, credentialId: 'cred-1' });
    const cookie = `${SESSION_COOKIE}=${token}`;
    const inst = radiology.series[0]!.instances[0]!;
    const view = await call(`/dicom-web/studies/${inst.studyUid}/series/${inst.seriesUid}/instances/${inst.sopUid}/rendered`, undefined, { headers: { cookie, accept: 'image/png' } });
    expect(view.status).toBe(200);
    const bulk = await call(`/dicom-web/studies/${inst.studyUid}`, undefined, { headers: { cookie, accept: 'multipart/related; type="application/dicom"' } });
    expect(bulk.status).toBe(403);
    expect(JSON.parse(bulk.text)).toMatchObject({ reasons: ['browser-bulk-export'] });
    // STOW with the cookie: no CSRF token → refused before policy; with it → policy says browser-store.
    const stow = { method: 'POST', body: Buffer.from('--x--\r\n') };
    const noToken = await call('/dicom-web/studies', undefined, { ...stow, headers: { cookie, origin: gw.url, 'content-type': 'multipart/related; type="application/dicom"; boundary=x' } });
    expect(noToken.status).toBe(403);
    expect(JSON.parse(noToken.text)).toMatchObject({ reason: 'csrf-token-missing' });
    const withToken = await call('/dicom-web/studies', undefined, { ...stow, headers: { cookie, origin: gw.url, 'x-csrf-token': csrfToken(session), 'content-type': 'multipart/related; type="application/dicom"; boundary=x' } });
    expect(withToken.status).toBe(403);
    expect(JSON.parse(withToken.text)).toMatchObject({ reason: 'policy-denied', reasons: ['browser-store'] });
    const foreign = await call('/dicom-web/studies', undefined, { ...stow, headers: { cookie, origin: 'https://evil.example', 'x-csrf-token': csrfToken(session), 'content-type': 'multipart/related; type="application/dicom"; boundary=x' } });
    expect(JSON.parse(foreign.text)).toMatchObject({ reason: 'csrf-origin-mismatch' });
  });

  it('refuses a request with neither certificate nor cookie, and a forged cookie', async () => {
    const none = await call('/dicom-web/studies', undefined);
    expect(none.status).toBe(403);
    expect(JSON.parse(none.text)).toMatchObject({ reason: 'credentials-required' });
    const forged = await call('/dicom-web/studies', undefined, { headers: { cookie: `${SESSION_COOKIE}=${'A'.repeat(43)}` } });
    expect(JSON.parse(forged.text)).toMatchObject({ reason: 'session-invalid' });
  });

  // ---- deny paths and bad input ----------------------------------------------------

  it('refuses another department’s study with 403 and the policy reasons', async () => {
    const r = await call(`/dicom-web/studies/${cardiology.studyUid}/metadata`, alice);
    expect(r.status).toBe(403);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(r.text)).toMatchObject({ status: 403, reason: 'policy-denied', reasons: ['no-permit'] });
  });

  it.each([
    ['/dicom-web/studies/../../system', 400, 'dot-segment'],
    ['/dicom-web/studies/%2e%2e/x', 400, 'encoded-dot'],
    ['/dicom-web/studies/1.2%2F3/metadata', 400, 'encoded-separator'],
    ['/dicom-web/studies/1.2%00/metadata', 400, 'control-char'],
    [`/dicom-web/studies/${'1.'.repeat(40)}1/metadata`, 400, 'bad-uid'],
    ['/dicom-web/studies/1.2.abc/metadata', 400, 'bad-uid'],
    ['/dicom-web/system', 403, 'route-not-allowed'],
    ['/tools/find', 404, 'outside-root'],
  ])('refuses %s with %i %s', async (p, status, reason) => {
    const r = await call(p, alice);
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(r.text)).toMatchObject({ status, reason });
  });

  it('refuses DELETE with 405 and an Allow header', async () => {
    const r = await call(`/dicom-web/studies/${radiology.studyUid}`, alice, { method: 'DELETE' });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD, POST');
  });

  it('refuses an oversized URL (414) and oversized headers (431)', async () => {
    const longUrl = await call(`/dicom-web/studies?PatientName=${'A'.repeat(9000)}`, alice);
    expect(longUrl.status).toBe(414);
    const big = await raw(`GET /dicom-web/studies HTTP/1.1\r\nHost: localhost\r\nX-Junk: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big.text).toMatch(/^HTTP\/1\.1 431/);
  });

  it('refuses request smuggling: Content-Length together with Transfer-Encoding, and bad chunking', async () => {
    const both = await raw('POST /dicom-web/studies HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /dicom-web/system HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(both.text).toMatch(/^HTTP\/1\.1 400/);
    expect(both.text).not.toMatch(/HTTP\/1\.1 [0-9]{3}[\s\S]*HTTP\/1\.1/);
    const doubleCl = await raw('POST /dicom-web/studies HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd');
    expect(doubleCl.text).toMatch(/^HTTP\/1\.1 400/);
    const badTe = await raw('POST /dicom-web/studies HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n');
    expect(badTe.text).toMatch(/^HTTP\/1\.1 400/);
  });

  it('closes a slow-header (slowloris) connection after the headers timeout', async () => {
    const started = Date.now();
    const r = await new Promise<{ text: string; ms: number }>((resolve) => {
      const s = tlsConnect({ host: '127.0.0.1', port: gw.port, servername: 'localhost', ca: broker.ca.rootPem(), cert: alice.cert, key: alice.key }, () => {
        s.write('GET /dicom-web/studies HTTP/1.1\r\nHost: localhost\r\n');
        const drip = setInterval(() => s.write('X-Drip: 1\r\n'), 200);
        s.on('close', () => clearInterval(drip));
      });
      let text = '';
      s.on('data', (c: Buffer) => (text += c.toString()));
      s.on('error', () => undefined);
      s.on('close', () => resolve({ text, ms: Date.now() - started }));
    });
    expect(r.ms).toBeLessThan(5_000);
    expect(r.text === '' || /^HTTP\/1\.1 408/.test(r.text)).toBe(true);
  });

  it('refuses an expired certificate and one from a foreign CA', async () => {
    const expired = await broker.ca.issueFromCsr({
      csrPem: execFileSync('openssl', ['req', '-new', '-key', alice.keyFile, '-subj', '/CN=x'], { encoding: 'utf8' }),
      userId: alice.userId, deviceId: alice.deviceId, sessionId: alice.sessionId, ttlSeconds: 60, now: new Date(Date.now() - 3_600_000),
    });
    const r1 = await call('/dicom-web/studies', { ...alice, cert: expired.chainPem });
    expect(r1.status).toBe(403);
    expect(JSON.parse(r1.text)).toMatchObject({ reason: 'certificate-untrusted' });

    const foreignKey = path.join(home, 'foreign.key');
    const foreignCrt = path.join(home, 'foreign.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', foreignKey, '-out', foreignCrt, '-days', '1', '-subj', '/CN=foreign']);
    const r2 = await call('/dicom-web/studies', { ...alice, cert: readFileSync(foreignCrt, 'utf8'), key: readFileSync(foreignKey, 'utf8') });
    expect(r2.status).toBe(403);
    expect(JSON.parse(r2.text)).toMatchObject({ reason: 'certificate-untrusted' });
  });

  // ---- upstream behaviour -----------------------------------------------------------

  it('never forwards the client’s cookie or Authorization; identity headers only when enabled for a loopback PACS', async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    const upstream = await fakeUpstream((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/dicom+json', 'set-cookie': 'pacs=1', connection: 'keep-alive', 'x-powered-by': 'pacs' });
      res.end('[]');
    });
    const plain = await extraGateway({ targets: [{ name: 'pacs-rad', upstream, root: '/dicom-web', authorization: 'Basic YnJva2VyOnNlY3JldA==', department: 'radiology' }] });
    const r = await call(`/dicom-web/studies/${radiology.studyUid}/metadata`, alice, { port: plain.port, headers: { cookie: 'a=b', authorization: 'Bearer client', 'x-radgate-user': 'forged', 'x-forwarded-for': '1.2.3.4' } });
    expect(r.status).toBe(200);
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(r.headers['x-powered-by']).toBeUndefined();
    const h = seen.at(-1)!;
    expect(h.cookie).toBeUndefined();
    expect(h.authorization).toBe('Basic YnJva2VyOnNlY3JldA==');
    expect(h['x-radgate-user']).toBeUndefined();
    expect(h['x-forwarded-for']).toBeUndefined();
    const trusted = await extraGateway({ targets: [{ name: 'pacs-rad', upstream, root: '/dicom-web', authorization: 'Basic YnJva2VyOnNlY3JldA==', department: 'radiology', identityHeaders: true }] });
    await call(`/dicom-web/studies/${radiology.studyUid}/metadata`, alice, { port: trusted.port });
    expect(seen.at(-1)!['x-radgate-user']).toBe(alice.userId);
  });

  it('answers 502 problem+json when the PACS is down', async () => {
    const down = await extraGateway({ targets: [{ name: 'pacs-rad', upstream: `http://127.0.0.1:${await freePort()}`, root: '/dicom-web', authorization: 'Basic eDp5', department: 'radiology', studyDepartmentFallback: 'target' }] });
    const r = await call('/dicom-web/studies', alice, { port: down.port });
    expect(r.status).toBe(502);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(r.text).not.toMatch(/ECONNREFUSED|at .*\.js/);
  });

  it('cuts the client response when the PACS resets mid-body, and audits a failure', async () => {
    const upstream = await fakeUpstream((req, res) => {
      if (req.url?.includes('/studies?')) {
        res.writeHead(200, { 'content-type': 'application/dicom+json' });
        res.end('[]');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/dicom', 'content-length': '1000000' });
      res.write(Buffer.alloc(1000, 1));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const g = await extraGateway({ targets: [{ name: 'pacs-rad', upstream, root: '/dicom-web', authorization: 'Basic eDp5', department: 'radiology' }] });
    const inst = radiology.series[0]!.instances[0]!;
    const outcome = await new Promise<string>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port: g.port, servername: 'localhost', path: `/dicom-web/studies/${inst.studyUid}/series/${inst.seriesUid}/instances/${inst.sopUid}`, agent: false, ca: broker.ca.rootPem(), cert: alice.cert, key: alice.key },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.complete ? 'complete' : 'incomplete'));
          res.on('error', () => resolve('error'));
          res.on('aborted', () => resolve('aborted'));
        },
      );
      req.on('error', () => resolve('error'));
      req.end();
    });
    expect(outcome).not.toBe('complete');
    await new Promise((r) => setTimeout(r, 100));
    const rec = (await auditDetails('gateway.http.request')).find((d) => d.instance === inst.sopUid && d.target === 'pacs-rad' && d.bytes === 1000);
    expect(rec).toBeDefined();
  });

  it('aborts the PACS request when the client goes away mid-download, and passes Range through', async () => {
    let upstreamClosed: () => void;
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    let range: string | undefined;
    const upstream = await fakeUpstream((req, res) => {
      if (req.url?.includes('/studies?')) {
        res.writeHead(200, { 'content-type': 'application/dicom+json' });
        res.end('[]');
        return;
      }
      range = req.headers.range;
      res.writeHead(206, { 'content-type': 'application/dicom', 'content-range': 'bytes 0-1023/999999' });
      res.write(Buffer.alloc(1024));
      res.on('close', () => upstreamClosed());
    });
    const g = await extraGateway({ targets: [{ name: 'pacs-rad', upstream, root: '/dicom-web', authorization: 'Basic eDp5', department: 'radiology' }] });
    const inst = radiology.series[0]!.instances[0]!;
    const started = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: g.port, servername: 'localhost', path: `/dicom-web/studies/${inst.studyUid}/series/${inst.seriesUid}/instances/${inst.sopUid}`, agent: false, ca: broker.ca.rootPem(), cert: alice.cert, key: alice.key, headers: { range: 'bytes=0-1023' } },
        (res) => {
          expect(res.statusCode).toBe(206);
          res.once('data', () => {
            req.destroy();
            resolve(Date.now());
          });
        },
      );
      req.on('error', () => undefined);
      req.end();
      setTimeout(() => reject(new Error('no data')), 5000).unref();
    });
    await closed;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(range).toBe('bytes=0-1023');
  });

  it('coalesces repeated requests of one session for one study into one summary record', async () => {
    const before = (await auditDetails('gateway.http.request')).length;
    const p = `/dicom-web/studies/${radiology.studyUid}/metadata`;
    for (let i = 0; i < 5; i++) expect((await call(p, alice)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    const all = await auditDetails('gateway.http.request');
    const fresh = all.slice(0, all.length - before);
    const mine = fresh.filter((d) => d.route === 'wado-rs.study.metadata' && d.sessionId === alice.sessionId);
    expect(mine).toHaveLength(2);
    expect(mine.find((d) => d.coalesced !== undefined)).toMatchObject({ coalesced: 4, statuses: { '200': 4 } });
    // Every request was released against a durable decision record (identical cached
    // decisions share the first one's record; the engine counts the repeats).
    const first = mine.find((d) => d.coalesced === undefined)!;
    expect(first.decisionSeq).toEqual(expect.any(Number));
    const seqs = mine.find((d) => d.coalesced !== undefined)!.decisionSeqs as number[];
    expect(seqs).toHaveLength(4);
    expect(seqs.every((q) => typeof q === 'number')).toBe(true);
  });

  // ---- continuous evaluation --------------------------------------------------------

  it('cuts a download mid-stream within 1 s when its certificate is revoked', async () => {
    // A PACS that sends headers and a first chunk, then stalls: the download stays in flight.
    const upstream = await fakeUpstream((req, res) => {
      if (req.url?.includes('/studies?')) {
        res.writeHead(200, { 'content-type': 'application/dicom+json' });
        res.end('[]'); // the gateway's study-facts lookup
        return;
      }
      res.writeHead(200, { 'content-type': 'application/dicom' });
      res.write('DICM');
    });
    const slowGw = await extraGateway({ targets: [{ name: 'pacs-rad', upstream, root: '/dicom-web', authorization: 'Basic eDp5', department: 'radiology' }] });
    const second = await issueCert(broker, { userId: alice.userId, deviceId: alice.deviceId, sessionId: alice.sessionId, dir: home });
    let revokedAt = 0;
    const outcome = await new Promise<{ firstChunk: string; ended: string; afterMs: number }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: slowGw.port, servername: 'localhost', path: `/dicom-web/studies/${radiology.studyUid}`, agent: false, ca: broker.ca.rootPem(), cert: second.cert, key: second.key },
        (res) => {
          let firstChunk = '';
          const done = (ended: string) => resolve({ firstChunk, ended, afterMs: Date.now() - revokedAt });
          res.once('data', (c: Buffer) => {
            firstChunk = c.toString();
            expect(broker.liveSessions.list().some((l) => l.serial === second.serial && l.gateway === 'http')).toBe(true);
            revokedAt = Date.now();
            void broker.ca.revoke(second.serial);
          });
          res.on('end', () => done('end'));
          res.on('error', () => done('error'));
          res.on('close', () => done(res.complete ? 'end' : 'cut'));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(outcome.firstChunk).toBe('DICM');
    expect(outcome.ended).not.toBe('end');
    expect(outcome.afterMs).toBeLessThan(1000);
    const cuts = await auditDetails('gateway.session.cut');
    expect(cuts.some((d) => d.serial === second.serial && String(d.cause).startsWith('certificate-revoked'))).toBe(true);
  });

  it('leaves no live session behind once requests end', () => {
    expect(broker.liveSessions.list().filter((l) => l.userId === alice.userId)).toHaveLength(0);
  });

  it('refuses the next request, and the next handshake, once the certificate is revoked', async () => {
    const third = await issueCert(broker, { userId: alice.userId, deviceId: alice.deviceId, sessionId: alice.sessionId, dir: home });
    // Same keep-alive connection: a request after revocation is refused.
    const { Agent } = await import('node:https');
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: broker.ca.rootPem(), cert: third.cert, key: third.key });
    const get = () =>
      new Promise<Res>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: gw.port, servername: 'localhost', path: `/dicom-web/studies/${radiology.studyUid}/metadata`, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), text: Buffer.concat(chunks).toString() }));
        });
        req.on('error', reject);
        req.end();
      });
    expect((await get()).status).toBe(200);
    await broker.ca.revoke(third.serial);
    const again = await get();
    expect(again.status).toBe(403);
    expect(JSON.parse(again.text)).toMatchObject({ reason: 'certificate-revoked' });
    agent.destroy();
    // A new connection with the revoked certificate is closed at the handshake.
    await expect(call('/dicom-web/studies', third)).rejects.toThrow();
  });
});
