// The control plane over real HTTPS: health, readiness, CRL, problem+json and TLS floor.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../src/server.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(broker: Broker, p: string, ca: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request(`${broker.url}${p}`, { ca, servername: 'localhost' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('control plane', () => {
  let broker: Broker;
  let home: string;
  let rootPem: string;

  beforeAll(async () => {
    home = tmpHome();
    broker = await startBroker(testConfig(home, { 'listen.control.port': await freePort() }), {});
    rootPem = broker.ca.rootPem();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('serves /healthz and /readyz over TLS with a certificate from its own CA', async () => {
    expect((await get(broker, '/healthz', rootPem)).status).toBe(200);
    const ready = await get(broker, '/readyz', rootPem);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body.toString())).toMatchObject({ status: 'ready', checks: { store: 'ok', policy: 'ok' } });
  });

  it('answers unknown routes with problem+json, a request id and no stack trace', async () => {
    const res = await get(broker, '/nope/../../etc', rootPem);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(res.body.toString()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 404, code: 'not-found' });
    expect(body.requestId).toBe(res.headers['x-request-id']);
    expect(res.body.toString()).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('serves a DER CRL that openssl verifies against the CA chain', async () => {
    const res = await get(broker, '/ca/crl', rootPem);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pkix-crl');
    const crl = path.join(home, 'fetched.crl');
    const chain = path.join(home, 'chain.pem');
    writeFileSync(crl, res.body);
    writeFileSync(chain, broker.ca.chainPem());
    const out = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', crl, '-CAfile', chain, '-noout'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('');
  });

  it('refuses TLS 1.1 clients (BCP 195 floor is TLS 1.2)', async () => {
    const port = Number(new URL(broker.url).port);
    const err = await new Promise<Error | undefined>((resolve) => {
      const s = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: rootPem, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
      s.once('secureConnect', () => {
        s.destroy();
        resolve(undefined);
      });
      s.once('error', resolve);
    });
    expect(err).toBeDefined();
  });

  it('reports not-ready (503) when the store stops answering', async () => {
    const h = tmpHome();
    const b = await startBroker(testConfig(h, { 'listen.control.port': await freePort() }));
    try {
      await b.store.close();
      const res = await get(b, '/readyz', b.ca.rootPem());
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body.toString())).toMatchObject({ status: 'not-ready', checks: { store: 'unavailable' } });
    } finally {
      await b.close().catch(() => undefined);
    }
  });

  it('refuses the development IdP in production mode and on a non-loopback listener', async () => {
    await expect(startBroker(testConfig(tmpHome(), { mode: 'production', 'dev.idp.enabled': true }))).rejects.toMatchObject({ code: 'config-invalid' });
    await expect(startBroker(testConfig(tmpHome(), { 'listen.control.host': '0.0.0.0', 'dev.idp.enabled': true }))).rejects.toThrow(/loopback/);
  });
});
