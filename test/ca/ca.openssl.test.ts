// The CA's output as real peers see it: openssl x509/verify/crl and a node:tls handshake.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { readCertificateIdentity } from '../../src/ca/index.js';
import { makeCsr, type TestKeyKind } from './makeCsr.js';
import { openTestCa, removeHome, tempHome, type TestCa } from './testCa.js';

const OPENSSL = '/usr/bin/openssl';
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function startCa(): Promise<TestCa> {
  const home = tempHome();
  const t = await openTestCa(home);
  cleanup.push(() => removeHome(home), () => t.close());
  return t;
}

function openssl(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(OPENSSL, args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function issueTo(t: TestCa, kind: TestKeyKind, file: string) {
  const { pem, keys } = makeCsr(kind);
  const issued = await t.ca.issueFromCsr({ csrPem: pem, userId: 'alice', deviceId: 'laptop-7', sessionId: 'sess-1', grantId: 'grant-3', ttlSeconds: 600 });
  const certFile = path.join(t.home, file);
  writeFileSync(certFile, issued.certificatePem);
  return { issued, keys, certFile };
}

describe('CA output checked by openssl', () => {
  it('openssl reads an issued client certificate and finds the profile', async () => {
    const t = await startCa();
    const { certFile } = await issueTo(t, 'p256', 'client.pem');
    const { status, out } = openssl('x509', '-in', certFile, '-noout', '-text');
    expect(status).toBe(0);
    expect(out).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(out).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(out).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(out).toMatch(/X509v3 Extended Key Usage: \s*TLS Web Client Authentication\n/);
    expect(out).toMatch(/URI:urn:radgate:user:alice, URI:urn:radgate:device:laptop-7, URI:urn:radgate:session:sess-1, URI:urn:radgate:grant:grant-3/);
    expect(out).toMatch(/X509v3 Subject Key Identifier/);
    expect(out).toMatch(/X509v3 Authority Key Identifier/);
  });

  it('openssl verify accepts P-256, P-384 and RSA-2048 client certificates through the intermediate', async () => {
    const t = await startCa();
    const { rootCert, intermediateCert } = t.ca.info().paths;
    for (const kind of ['p256', 'p384', 'rsa2048'] as const) {
      const { certFile } = await issueTo(t, kind, `${kind}.pem`);
      const ok = openssl('verify', '-CAfile', rootCert, '-untrusted', intermediateCert, '-purpose', 'sslclient', '-x509_strict', certFile);
      expect(ok.out).toContain(`${certFile}: OK`);
      expect(ok.status).toBe(0);
    }
  });

  it('openssl verify refuses a client certificate for server use (EKU is clientAuth only)', async () => {
    const t = await startCa();
    const { rootCert, intermediateCert } = t.ca.info().paths;
    const { certFile } = await issueTo(t, 'p256', 'client.pem');
    const r = openssl('verify', '-CAfile', rootCert, '-untrusted', intermediateCert, '-purpose', 'sslserver', certFile);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/unsuitable certificate purpose/);
  });

  it('openssl verify accepts the control plane certificate for server use', async () => {
    const t = await startCa();
    const { rootCert, intermediateCert, serverCert } = t.ca.info().paths;
    const r = openssl('verify', '-CAfile', rootCert, '-untrusted', intermediateCert, '-purpose', 'sslserver', '-x509_strict', serverCert);
    expect(r.out).toContain(`${serverCert}: OK`);
    const text = openssl('x509', '-in', serverCert, '-noout', '-ext', 'subjectAltName').out;
    expect(text).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1/);
  });

  it('openssl verifies the CRL signature and lists a revoked serial with its reason', async () => {
    const t = await startCa();
    const { rootCert, intermediateCert, crl } = t.ca.info().paths;
    const chain = path.join(t.home, 'chain.pem');
    writeFileSync(chain, t.ca.chainPem());

    const empty = openssl('crl', '-inform', 'DER', '-in', crl, '-noout', '-text', '-CAfile', chain);
    expect(empty.out).toMatch(/verify OK/);
    expect(empty.out).toMatch(/No Revoked Certificates/);

    const { issued, certFile } = await issueTo(t, 'p256', 'client.pem');
    await t.ca.revoke(issued.serial, 'keyCompromise');
    const r = openssl('crl', '-inform', 'DER', '-in', crl, '-noout', '-text', '-CAfile', chain);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/verify OK/);
    expect(r.out).toMatch(/Version 2/);
    expect(r.out).toMatch(/X509v3 CRL Number/);
    expect(r.out).toMatch(/X509v3 Authority Key Identifier/);
    expect(r.out).toContain(`Serial Number: ${issued.serial}`);
    expect(r.out).toMatch(/X509v3 CRL Reason Code:\s+Key Compromise/);

    // And a relying party that checks CRLs refuses the certificate.
    const crlPem = path.join(t.home, 'crl.pem');
    expect(openssl('crl', '-inform', 'DER', '-in', crl, '-out', crlPem).status).toBe(0);
    const v = openssl('verify', '-crl_check', '-CRLfile', crlPem, '-CAfile', rootCert, '-untrusted', intermediateCert, certFile);
    expect(v.status).not.toBe(0);
    expect(v.out).toMatch(/certificate revoked/);
  });
});

describe('CA output in a node:tls handshake', () => {
  async function mtlsServer(t: TestCa) {
    const creds = await t.ca.serverCredentials();
    const seen: Array<ReturnType<typeof readCertificateIdentity>> = [];
    const server = tls.createServer({ cert: creds.cert, key: creds.key, ca: t.ca.trustPem(), requestCert: true, rejectUnauthorized: true }, (socket) => {
      seen.push(readCertificateIdentity(socket.getPeerCertificate()));
      socket.end('hello');
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { port: (server.address() as AddressInfo).port, seen };
  }

  function connect(port: number, o: tls.ConnectionOptions): Promise<{ ok: true; data: string } | { ok: false; error: string }> {
    return new Promise((resolve) => {
      let data = '';
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...o });
      socket.on('data', (d) => (data += String(d)));
      socket.on('end', () => resolve(data === 'hello' ? { ok: true, data } : { ok: false, error: 'closed without data' }));
      socket.on('error', (err) => resolve({ ok: false, error: err.message }));
    });
  }

  it('a server requiring client certificates accepts an issued one and reads its identity', async () => {
    const t = await startCa();
    const { port, seen } = await mtlsServer(t);
    for (const kind of ['p256', 'rsa2048'] as const) {
      const { issued, keys } = await issueTo(t, kind, `${kind}.pem`);
      const r = await connect(port, { ca: t.ca.rootPem(), cert: issued.certificatePem, key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });
      expect(r).toEqual({ ok: true, data: 'hello' });
      expect(seen.pop()).toEqual({ serial: issued.serial, userId: 'alice', deviceId: 'laptop-7', sessionId: 'sess-1', grantId: 'grant-3' });
    }
  });

  it('the same server refuses a certificate from another radgate CA', async () => {
    const t = await startCa();
    const other = await startCa();
    const { port, seen } = await mtlsServer(t);
    const { issued, keys } = await issueTo(other, 'p256', 'foreign.pem');
    const r = await connect(port, { ca: t.ca.rootPem(), cert: issued.chainPem, key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });
    expect(r.ok).toBe(false);
    expect(seen).toEqual([]);
  });

  it('the same server refuses a client that presents no certificate', async () => {
    const t = await startCa();
    const { port, seen } = await mtlsServer(t);
    const r = await connect(port, { ca: t.ca.rootPem() });
    expect(r.ok).toBe(false);
    expect(seen).toEqual([]);
  });
});
