// The DICOMweb gateway end to end: a real broker (store, audit, CA, policy, sessions,
// devices), a real Orthanc with one synthetic study, and mTLS clients holding
// certificates the broker's CA issued for a user, a login session and a device.
import { rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadStudies, makeSyntheticStudy, type SyntheticStudies } from '../../src/gateway/demoPacs/index.js';
import { createHttpGateway, type HttpGateway } from '../../src/gateway/http/index.js';
import { startBroker, type Broker } from '../../src/server.js';
import { issueCert, makeCaller, type ClientCert } from '../helpers/dataplaneCaller.js';
import { describeWithOrthanc, withOrthanc, type TestOrthanc } from '../helpers/orthanc.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describeWithOrthanc('DICOMweb gateway (mTLS) in front of a real Orthanc', () => {
  let broker: Broker;
  let orthanc: TestOrthanc;
  let data: SyntheticStudies;
  let gw: HttpGateway;
  let alice: ClientCert;
  let carol: ClientCert;
  const home = tmpHome('radgate-gw-');
  const dataDir = tmpHome('radgate-gw-synth-');

  const clinician = (name: string, department: string) => makeCaller(broker, { name, department, dir: home });
  const issue = (userId: string, deviceId: string, sessionId: string) => issueCert(broker, { userId, deviceId, sessionId, dir: home });

  function get(p: string, who: ClientCert | undefined, method = 'GET'): Promise<Res> {
    return new Promise((resolve, reject) => {
      // Options, not a URL string: WHATWG URL parsing would resolve `..` before sending.
      const req = request(
        { host: '127.0.0.1', port: gw.port, servername: 'localhost', path: p, method, agent: false, ca: broker.ca.rootPem(), ...(who ? { cert: who.cert, key: who.key } : {}), headers: { accept: 'application/dicom+json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    [broker, orthanc, data] = await Promise.all([
      freePort().then((port) => startBroker(testConfig(home, { 'listen.control.port': port }))),
      withOrthanc(),
      makeSyntheticStudy({ dir: dataDir, studies: 1, seriesPerStudy: 1, instancesPerSeries: 1, seed: 77 }),
    ]);
    await loadStudies(orthanc, data.files);
    gw = await createHttpGateway({
      broker,
      listen: { host: '127.0.0.1', port: await freePort() },
      target: { name: 'pacs-rad', upstream: orthanc.httpUrl, root: '/dicom-web', upstreamRoot: '/dicom-web', authorization: orthanc.authorization, department: 'radiology', site: 'main' },
    });
    alice = await clinician('alice', 'radiology');
    carol = await clinician('carol', 'cardiology');
  });

  afterAll(async () => {
    await gw?.close();
    await orthanc?.stop();
    await broker?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('answers QIDO /studies with the study, through the gateway, with the client certificate', async () => {
    const r = await get('/dicom-web/studies', alice);
    expect(r.status).toBe(200);
    expect(r.headers['set-cookie']).toBeUndefined();
    const body = JSON.parse(r.body) as Array<Record<string, { Value?: unknown[] }>>;
    expect(body.map((s) => s['0020000D']?.Value?.[0])).toEqual([data.studies[0]!.studyUid]);
  });

  it('answers WADO-RS metadata of the study with 200', async () => {
    const inst = data.studies[0]!.series[0]!.instances[0]!;
    const r = await get(`/dicom-web/studies/${inst.studyUid}/series/${inst.seriesUid}/instances/${inst.sopUid}/metadata`, alice);
    expect(r.status).toBe(200);
    const [meta] = JSON.parse(r.body) as Array<Record<string, { Value?: unknown[] }>>;
    expect(meta?.['00080018']?.Value?.[0]).toBe(inst.sopUid);
  });

  it('refuses a traversal path with 400 problem+json', async () => {
    const r = await get('/dicom-web/studies/../../system', alice);
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(r.body)).toMatchObject({ status: 400, reason: 'dot-segment' });
  });

  it('refuses the TLS handshake without a client certificate', async () => {
    await expect(get('/dicom-web/studies', undefined)).rejects.toThrow();
  });

  it('refuses a clinician of another department with 403 and the policy reasons', async () => {
    const r = await get(`/dicom-web/studies/${data.studies[0]!.studyUid}/metadata`, carol);
    expect(r.status).toBe(403);
    expect(r.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(r.body)).toMatchObject({ status: 403, reason: 'policy-denied', reasons: ['no-permit'] });
  });

  it('audits one gateway.http.request per request with status, bytes and study', async () => {
    await broker.audit.flush();
    const rows = await broker.store.audit.query({ type: 'gateway.http.request', limit: 100 });
    const details = rows.map((r) => JSON.parse(r.detail) as Record<string, unknown>);
    const meta = details.find((d) => d.route === 'wado-rs.instance.metadata' && d.status === 200);
    expect(meta).toMatchObject({ status: 200, study: data.studies[0]!.studyUid });
    expect(meta?.bytes).toBeGreaterThan(0);
    expect(details.some((d) => d.status === 403 && d.reason === 'policy-denied')).toBe(true);
    expect(details.some((d) => d.status === 400 && d.reason === 'dot-segment')).toBe(true);
  });

  it('leaves no live session behind once requests end', () => {
    expect(broker.liveSessions.size).toBe(0);
  });

  it('cuts a download mid-stream when its certificate is revoked', async () => {
    // A PACS that sends headers and a first chunk, then stalls: the download stays in flight.
    const slow: HttpServer = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/dicom+json' });
      res.write('[');
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const slowGw = await createHttpGateway({
      broker,
      listen: { host: '127.0.0.1', port: 0 },
      target: { name: 'pacs-rad', upstream: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`, root: '/dicom-web', authorization: 'Basic eDp5', department: 'radiology' },
    });
    const second = await issue(alice.userId, alice.deviceId, alice.sessionId);
    try {
      const outcome = await new Promise<{ firstChunk: string; ended: string }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: slowGw.port, servername: 'localhost', path: '/dicom-web/studies', agent: false, ca: broker.ca.rootPem(), cert: second.cert, key: second.key },
          (res) => {
            let firstChunk = '';
            res.once('data', (c: Buffer) => {
              firstChunk = c.toString();
              expect(broker.liveSessions.list().some((l) => l.serial === second.serial && l.gateway === 'http')).toBe(true);
              void broker.ca.revoke(second.serial);
            });
            res.on('end', () => resolve({ firstChunk, ended: 'end' }));
            res.on('error', () => resolve({ firstChunk, ended: 'error' }));
            res.on('close', () => resolve({ firstChunk, ended: res.complete ? 'end' : 'cut' }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(outcome.firstChunk).toBe('[');
      expect(outcome.ended).not.toBe('end');
      await broker.audit.flush();
      const cuts = await broker.store.audit.query({ type: 'gateway.session.cut', limit: 10 });
      expect(cuts.some((r) => (JSON.parse(r.detail) as { serial?: string }).serial === second.serial)).toBe(true);
    } finally {
      await slowGw.close();
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  it('refuses the next request once the certificate is revoked', async () => {
    expect((await get('/dicom-web/studies', alice)).status).toBe(200);
    await broker.ca.revoke(alice.serial);
    const r = await get('/dicom-web/studies', alice);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ reason: 'certificate-revoked' });
  });
});
