import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RadgateError } from '../errors/index.js';
import { BAD_CSRS } from '../../test/ca/badCsrs.js';
import { makeCsr, opensslCsr, testKeyPair } from '../../test/ca/makeCsr.js';
import { crlEntries, memoryAudit, openTestCa, removeHome, tempHome, type TestCa } from '../../test/ca/testCa.js';
import { readCrlNumber } from './crlPublisher.js';
import { readCertificateIdentity } from './readCertificateIdentity.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const clock = () => NOW;
const homes: string[] = [];
const open: TestCa[] = [];

async function start(o: Parameters<typeof openTestCa>[1] = {}, home = tempHome()): Promise<TestCa> {
  if (!homes.includes(home)) homes.push(home);
  const t = await openTestCa(home, { clock, ...o });
  open.push(t);
  return t;
}

afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  for (const h of homes.splice(0)) removeHome(h);
});

const issue = (t: TestCa, extra: Partial<Parameters<TestCa['ca']['issueFromCsr']>[0]> = {}) =>
  t.ca.issueFromCsr({ csrPem: makeCsr('p256').pem, userId: 'u1', deviceId: 'd1', sessionId: 's1', ttlSeconds: 3600, ...extra });

async function rejection(p: Promise<unknown>): Promise<RadgateError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RadgateError);
  return err as RadgateError;
}

describe('openCa: CA material', () => {
  it('creates a root and an intermediate on first start, keys 0600, both recorded', async () => {
    const t = await start();
    const { paths, created } = t.ca.info();
    expect(created).toEqual({ root: true, intermediate: true, server: true });
    for (const key of [paths.rootKey, paths.intermediateKey, paths.serverKey]) expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(existsSync(paths.crl)).toBe(true);
    const root = new X509Certificate(readFileSync(paths.rootCert));
    const intermediate = new X509Certificate(readFileSync(paths.intermediateCert));
    expect(root.ca && intermediate.ca).toBe(true);
    expect(root.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(intermediate.verify(root.publicKey)).toBe(true);
    expect((await t.store.certificates.get(root.serialNumber))?.kind).toBe('root');
    expect((await t.store.certificates.get(intermediate.serialNumber))?.kind).toBe('intermediate');
  });

  it('loads the same root on a later start', async () => {
    const first = await start();
    const fingerprint = first.ca.info().root.fingerprint;
    await first.close();
    open.splice(open.indexOf(first), 1);
    const second = await start({}, first.home);
    expect(second.ca.info().root.fingerprint).toBe(fingerprint);
    expect(second.ca.info().created).toEqual({ root: false, intermediate: false, server: false });
  });

  it('refuses to start when a CA key file is readable by group or others', async () => {
    const first = await start();
    const { rootKey, intermediateKey } = first.ca.info().paths;
    chmodSync(rootKey, 0o644);
    let err = await rejection(openTestCa(first.home, { clock }));
    expect(err.code).toBe('ca-key-insecure');
    expect(err.message).toMatch(/root\.key has mode 0644/);
    chmodSync(rootKey, 0o600);
    chmodSync(intermediateKey, 0o640);
    err = await rejection(openTestCa(first.home, { clock }));
    expect(err.code).toBe('ca-key-insecure');
  });

  it('refuses to start on half-present or mismatched CA material rather than replace it', async () => {
    const first = await start();
    const { rootCert, rootKey, intermediateKey, serverKey } = first.ca.info().paths;
    const rootPem = readFileSync(rootCert);
    const intermediateKeyPem = readFileSync(intermediateKey);
    const { rmSync, writeFileSync } = await import('node:fs');
    rmSync(rootCert);
    let err = await rejection(openTestCa(first.home, { clock }));
    expect(err.code).toBe('ca-unavailable');
    expect(err.message).toMatch(/found .*root\.key without .*root\.crt/);
    writeFileSync(rootCert, rootPem);
    writeFileSync(intermediateKey, readFileSync(serverKey), { mode: 0o600 });
    err = await rejection(openTestCa(first.home, { clock }));
    expect(err.code).toBe('ca-unavailable');
    expect(err.message).toMatch(/intermediate CA .* cannot be used: the private key does not match/);
    writeFileSync(intermediateKey, intermediateKeyPem, { mode: 0o600 });
    expect(readFileSync(rootKey).length).toBeGreaterThan(0);
    const again = await start({}, first.home);
    expect(again.ca.info().root.fingerprint).toBe(first.ca.info().root.fingerprint);
  });

  it('encrypts keys at rest with ca.passphrase and cannot start without it', async () => {
    const passphrase = 'correct horse battery staple';
    const first = await start({ overrides: { 'ca.passphrase': passphrase } });
    const { rootKey } = first.ca.info().paths;
    expect(readFileSync(rootKey, 'utf8')).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    const fingerprint = first.ca.info().root.fingerprint;
    expect((await rejection(openTestCa(first.home, { clock }))).message).toMatch(/encrypted; set ca.passphrase/);
    expect((await rejection(openTestCa(first.home, { clock, overrides: { 'ca.passphrase': 'wrong passphrase!' } }))).message).toMatch(/wrong passphrase/);
    const again = await start({ overrides: { 'ca.passphrase': passphrase } }, first.home);
    expect(again.ca.info().root.fingerprint).toBe(fingerprint);
  });
});

describe('openCa: issueFromCsr', () => {
  it('issues a client certificate with the radgate SANs, clientAuth and the requested validity', async () => {
    const t = await start();
    const { pem, keys } = makeCsr('p256');
    const issued = await t.ca.issueFromCsr({ csrPem: pem, userId: 'u1', deviceId: 'd1', sessionId: 's1', grantId: 'g1', ttlSeconds: 3600 });
    const cert = new X509Certificate(issued.certificatePem);
    expect(cert.subjectAltName).toBe('URI:urn:radgate:user:u1, URI:urn:radgate:device:d1, URI:urn:radgate:session:s1, URI:urn:radgate:grant:g1');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // node reports the extended key usage here
    expect(cert.ca).toBe(false);
    expect(cert.subject).toBe('O=radgate\nOU=radgate.local\nCN=u1');
    expect(new Date(cert.validFrom).getTime()).toBe(NOW.getTime() - 60_000);
    expect(new Date(cert.validTo).getTime()).toBe(NOW.getTime() + 3600_000);
    expect(cert.serialNumber).toBe(issued.serial);
    expect(cert.publicKey.export({ type: 'spki', format: 'der' }).equals(keys.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    const intermediate = new X509Certificate(readFileSync(t.ca.info().paths.intermediateCert));
    expect(cert.checkIssued(intermediate) && cert.verify(intermediate.publicKey)).toBe(true);
    expect(readCertificateIdentity(cert)).toEqual({ serial: issued.serial, userId: 'u1', deviceId: 'd1', sessionId: 's1', grantId: 'g1' });
    expect(issued.chainPem).toBe(issued.certificatePem + intermediate.toString());
  });

  it('records every issued certificate with its user, device, session and grant', async () => {
    const t = await start();
    const issued = await issue(t, { grantId: 'g9' });
    const row = await t.store.certificates.get(issued.serial);
    expect(row).toMatchObject({
      kind: 'client',
      subject: 'CN=u1, OU=radgate.local, O=radgate',
      userId: 'u1',
      deviceId: 'd1',
      sessionId: 's1',
      grantId: 'g9',
      fingerprint: issued.fingerprint,
      notBefore: issued.notBefore.getTime(),
      notAfter: issued.notAfter.getTime(),
      revokedAt: null,
      pem: issued.certificatePem,
    });
    expect(new X509Certificate(issued.certificatePem).fingerprint256.replace(/:/g, '').toLowerCase()).toBe(issued.fingerprint);
  });

  it('clamps the lifetime to ca.clientCertMaxTtl', async () => {
    const t = await start({ overrides: { 'ca.clientCertMaxTtl': '2h' } });
    const issued = await issue(t, { ttlSeconds: 10 * 86400 });
    expect(issued.notAfter.getTime()).toBe(NOW.getTime() + 2 * 3600_000);
  });

  it('ignores every name and extension the CSR asked for', async () => {
    const t = await start();
    const keys = testKeyPair('p256');
    const csrPem = opensslCsr(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const cert = new X509Certificate((await issue(t, { csrPem, userId: 'alice' })).certificatePem);
    expect(cert.subjectAltName).not.toMatch(/evil|admin/);
    expect(cert.subject).not.toMatch(/evil|admin/);
    expect(cert.ca).toBe(false);
  });

  it('accepts an RSA-2048 CSR', async () => {
    const t = await start();
    const cert = new X509Certificate((await t.ca.issueFromCsr({ csrPem: makeCsr('rsa2048').pem, userId: 'u', deviceId: 'd', sessionId: 's', ttlSeconds: 60 })).certificatePem);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('refuses empty identifiers and non-positive lifetimes before touching the CSR', async () => {
    const t = await start();
    expect((await rejection(issue(t, { userId: '' }))).code).toBe('bad-request');
    expect((await rejection(issue(t, { sessionId: 'a\nb' }))).code).toBe('bad-request');
    expect((await rejection(issue(t, { ttlSeconds: 0 }))).code).toBe('bad-request');
    expect((await rejection(issue(t, { ttlSeconds: Number.NaN }))).code).toBe('bad-request');
  });

  describe('refuses bad CSRs and stores nothing', () => {
    for (const bad of BAD_CSRS) {
      it(bad.rule, async () => {
        const t = await start();
        const before = (await t.store.certificates.list()).length;
        const err = await rejection(issue(t, { csrPem: bad.make() }));
        expect(err.code).toBe(bad.code);
        expect(err.message).toMatch(bad.message);
        expect((await t.store.certificates.list()).length).toBe(before);
      });
    }
  });
});

describe('openCa: revocation', () => {
  it('revoke marks the certificate in memory, in the database, on the bus and in the CRL', async () => {
    const t = await start();
    const issued = await issue(t);
    const other = await issue(t);
    expect(t.ca.isRevoked(issued.serial)).toBe(false);

    expect(await t.ca.revoke(issued.serial.toLowerCase(), 'keyCompromise')).toBe(true);
    expect(t.ca.isRevoked(issued.serial)).toBe(true);
    expect(t.ca.isRevoked('00' + issued.serial.toLowerCase())).toBe(true);
    expect(t.ca.isRevoked(other.serial)).toBe(false);
    expect(await t.store.certificates.get(issued.serial)).toMatchObject({ revokedAt: NOW.getTime(), revocationReason: 'keyCompromise' });
    await t.bus.drain();
    expect(t.events).toEqual([{ type: 'certificate.revoked', serial: issued.serial, reason: 'keyCompromise' }]);
    const crl = await t.ca.crlDer();
    expect(crlEntries(crl)).toEqual([{ serial: issued.serial, reasonCode: 1 }]);
    expect(readFileSync(t.ca.info().paths.crl).equals(crl)).toBe(true);

    expect(await t.ca.revoke(issued.serial)).toBe(false);
    await t.bus.drain();
    expect(t.events).toHaveLength(1);
  });

  it('revokeWhere revokes every live certificate of a session and nothing else', async () => {
    const t = await start();
    const a = await issue(t, { sessionId: 's1' });
    const b = await issue(t, { sessionId: 's1', deviceId: 'd2' });
    const c = await issue(t, { sessionId: 's2' });
    const revoked = await t.ca.revokeWhere({ sessionId: 's1' }, 'cessationOfOperation');
    expect(revoked.sort()).toEqual([a.serial, b.serial].sort());
    expect([a, b, c].map((x) => t.ca.isRevoked(x.serial))).toEqual([true, true, false]);
    expect(crlEntries(await t.ca.crlDer()).map((e) => e.serial).sort()).toEqual([a.serial, b.serial].sort());
    await t.bus.drain();
    expect(t.events.map((e) => (e.type === 'certificate.revoked' ? e.serial : '')).sort()).toEqual([a.serial, b.serial].sort());
    expect(await t.ca.revokeWhere({ sessionId: 's1' })).toEqual([]);
  });

  it('refuses revokeWhere without a filter, unknown serials, CA certificates and unknown reasons', async () => {
    const t = await start();
    expect((await rejection(t.ca.revokeWhere({}))).code).toBe('bad-request');
    expect((await rejection(t.ca.revoke('ABCDEF'))).code).toBe('certificate-not-found');
    expect((await rejection(t.ca.revoke(t.ca.info().intermediate.serial))).code).toBe('bad-request');
    const issued = await issue(t);
    expect((await rejection(t.ca.revoke(issued.serial, 'certificateHold' as never))).code).toBe('bad-request');
    expect(t.ca.isRevoked(issued.serial)).toBe(false);
  });

  it('rebuilds the revocation set from the database at start', async () => {
    const first = await start();
    const issued = await issue(first);
    await first.ca.revoke(issued.serial);
    await first.close();
    open.splice(open.indexOf(first), 1);
    const second = await start({}, first.home);
    expect(second.ca.isRevoked(issued.serial)).toBe(true);
    expect(crlEntries(await second.ca.crlDer())).toEqual([{ serial: issued.serial, reasonCode: undefined }]);
  });

  it('learns revocations made by another replica from the bus', async () => {
    const a = await start();
    const b = await start({ store: a.store, bus: a.bus }, a.home);
    const issued = await issue(a);
    expect(b.ca.isRevoked(issued.serial)).toBe(false);
    await a.ca.revoke(issued.serial);
    await a.bus.drain();
    expect(b.ca.isRevoked(issued.serial)).toBe(true);
  });

  it('gives each rebuilt CRL a larger crlNumber', async () => {
    const t = await start();
    // The clock stands still, so this also covers two rebuilds within one millisecond.
    const crlNumber = (der: Buffer) => readCrlNumber(der)!;
    const before = crlNumber(await t.ca.crlDer());
    await t.ca.revoke((await issue(t)).serial);
    expect(crlNumber(await t.ca.crlDer())).toBeGreaterThan(before);
  });
});

describe('openCa: audit', () => {
  it('audits each issue, each refusal and each revocation', async () => {
    const audit = memoryAudit();
    const t = await start({ audit });
    const issued = await issue(t, { userId: 'alice' });
    await rejection(issue(t, { userId: 'alice', csrPem: makeCsr('rsa1024').pem }));
    await t.ca.revoke(issued.serial, 'superseded', 'Radgate::User::"admin"');
    expect(audit.events).toMatchObject([
      { type: 'ca.issue', actor: 'Radgate::User::"alice"', outcome: 'success', detail: { serial: issued.serial, fingerprint: issued.fingerprint, deviceId: 'd1', sessionId: 's1', key: 'ec P-256' } },
      { type: 'ca.issue', actor: 'Radgate::User::"alice"', outcome: 'failure', detail: { code: 'csr-key-unsupported' } },
      { type: 'ca.revoke', actor: 'Radgate::User::"admin"', outcome: 'success', detail: { serials: [issued.serial], reason: 'superseded' } },
    ]);
  });

  it('hands out no certificate when its audit record cannot be written', async () => {
    const t = await start({ audit: { append: () => Promise.reject(new RadgateError('audit-unavailable', 'audit store down')) } });
    expect((await rejection(issue(t))).code).toBe('audit-unavailable');
  });
});

describe('openCa: control plane TLS certificate', () => {
  it('issues a serverAuth certificate for ca.serverNames and keeps it while they do not change', async () => {
    const t = await start({ overrides: { 'ca.serverNames': ['radgate.example', '127.0.0.1', '::1'] } });
    const creds = await t.ca.serverCredentials();
    const cert = new X509Certificate(creds.cert);
    expect(cert.subjectAltName).toBe('DNS:radgate.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(creds.key)))).toBe(true);
    expect(creds.ca).toBe(t.ca.rootPem());
    expect((await t.store.certificates.get(creds.serial))?.kind).toBe('server');
    await t.close();
    open.splice(open.indexOf(t), 1);

    const same = await start({ overrides: { 'ca.serverNames': ['radgate.example', '127.0.0.1', '::1'] } }, t.home);
    expect((await same.ca.serverCredentials()).serial).toBe(creds.serial);
    await same.close();
    open.splice(open.indexOf(same), 1);

    const renamed = await start({ overrides: { 'ca.serverNames': ['other.example'] } }, t.home);
    const next = await renamed.ca.serverCredentials();
    expect(next.serial).not.toBe(creds.serial);
    expect(new X509Certificate(next.cert).subjectAltName).toBe('DNS:other.example');
  });

  it('refuses a configured server name that is neither a DNS name nor an IP address', async () => {
    const home = tempHome();
    homes.push(home);
    const err = await rejection(openTestCa(home, { clock, overrides: { 'ca.serverNames': ['radgate example'] } }));
    expect(err.code).toBe('config-invalid');
    expect(err.message).toMatch(/ca\.serverNames: "radgate example"/);
  });

  it('reissues the server certificate when it is within 30 days of expiry', async () => {
    let now = NOW;
    const t = await start({ clock: () => now });
    const first = await t.ca.serverCredentials();
    now = new Date(NOW.getTime() + 59 * 86400_000);
    expect((await t.ca.serverCredentials()).serial).toBe(first.serial);
    now = new Date(NOW.getTime() + 61 * 86400_000);
    const renewed = await t.ca.serverCredentials();
    expect(renewed.serial).not.toBe(first.serial);
    expect(renewed.notAfter.getTime()).toBe(Math.floor(now.getTime() / 1000) * 1000 + 90 * 86400_000);
  });
});
