// Certificates for devices: the checks in order, the lifetime rule, names set by the
// server, chain verification with openssl, and revocation by device, session and user.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RadgateEvent } from '../../src/events/index.js';
import { makeCsr, opensslCsr } from '../ca/makeCsr.js';
import { deviceFixture, type Agent, type DeviceKey, type Fixture } from './deviceFixture.js';

const openssl = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('device certificates', () => {
  let f: Fixture;
  let alice: Agent;
  let laptop: { deviceId: string; key: DeviceKey };
  const events: RadgateEvent[] = [];

  beforeAll(async () => {
    // Agent sessions live 2 h here: shorter than a clinician's 8 h, longer than an admin's 1 h.
    f = await deviceFixture({ 'identity.session.agentAbsoluteTimeout': '2h' });
    f.broker.bus.onAny((e) => void events.push(e));
    alice = await f.agent(await f.user('alice'));
    laptop = await f.enroll(alice);
    expect((await f.report(alice, laptop.deviceId, laptop.key.privateKey)).status).toBe(200);
  });
  afterAll(async () => f?.close());

  const issue = (a: Agent, deviceId: string, csr = makeCsr('p256').pem, extra: Record<string, unknown> = {}) => f.call(a, 'POST', '/certificates', { csr, deviceId, ...extra });
  const certCount = async (userId: string) => (await f.broker.store.certificates.list({ userId })).length;

  const expectRefused = async (r: { status: number; json: any }, status: number, match: Record<string, unknown>, since: number) => {
    expect(r.status).toBe(status);
    expect(r.json).toMatchObject(match);
    const events = await f.auditSince(since, 'certificate.issue');
    expect(events.filter((e) => e.outcome === 'failure')).toHaveLength(1);
  };

  it('issues a certificate that openssl verifies against the root and intermediate', async () => {
    const r = await issue(alice, laptop.deviceId);
    expect(r.status).toBe(201);
    const dir = f.home;
    const [root, intermediate] = [f.broker.ca.rootPem(), f.broker.ca.chainPem().replace(f.broker.ca.rootPem(), '')];
    writeFileSync(path.join(dir, 'root.pem'), root);
    writeFileSync(path.join(dir, 'int.pem'), intermediate);
    writeFileSync(path.join(dir, 'leaf.pem'), r.json.certificatePem);
    expect(openssl(['verify', '-CAfile', path.join(dir, 'root.pem'), '-untrusted', path.join(dir, 'int.pem'), path.join(dir, 'leaf.pem')])).toMatch(/leaf\.pem: OK/);
    expect(r.json.chainPem.startsWith(r.json.certificatePem)).toBe(true);
  });

  it('bounds a clinician certificate by the login session (2 h < 8 h role maximum)', async () => {
    const r = await issue(alice, laptop.deviceId);
    const notAfter = Date.parse(r.json.notAfter);
    expect(notAfter).toBeLessThanOrEqual(alice.expiresAt);
    expect(alice.expiresAt - notAfter).toBeLessThan(2000);
  });

  it('bounds an admin certificate by the role maximum (1 h < 2 h session)', async () => {
    const admin = await f.agent(await f.user('adam', { roles: ['admin'] }));
    const d = await f.enroll(admin);
    await f.report(admin, d.deviceId, d.key.privateKey);
    const before = Date.now();
    const r = await issue(admin, d.deviceId);
    expect(r.status).toBe(201);
    const ttl = Date.parse(r.json.notAfter) - before;
    expect(ttl).toBeGreaterThan(3600_000 - 2000);
    expect(ttl).toBeLessThanOrEqual(3600_000);
  });

  it('sets its own names and ignores those the CSR asks for', async () => {
    const { privateKey } = makeCsr('p256').keys;
    const csr = opensslCsr(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const r = await issue(alice, laptop.deviceId, csr);
    expect(r.status).toBe(201);
    const x = new X509Certificate(r.json.certificatePem);
    expect(x.subject).toContain(`CN=${alice.user.id}`);
    expect(x.subject).not.toContain('admin');
    expect(x.subjectAltName).toContain(`URI:urn:radgate:user:${encodeURIComponent(alice.user.id)}`);
    expect(x.subjectAltName).toContain(`URI:urn:radgate:device:${laptop.deviceId}`);
    expect(x.subjectAltName).toContain(`URI:urn:radgate:session:${alice.sessionId}`);
    expect(x.subjectAltName).not.toMatch(/evil|user:admin/);
    expect(x.ca).toBe(false);
  });

  it.each([
    ['RSA-1024', 'rsa1024'],
    ['Ed25519', 'ed25519'],
    ['secp256k1', 'secp256k1'],
  ] as const)('refuses a CSR with a %s key', async (_name, kind) => {
    const seq = await f.auditHead();
    const before = await certCount(alice.user.id);
    await expectRefused(await issue(alice, laptop.deviceId, makeCsr(kind).pem), 400, { code: 'csr-key-unsupported' }, seq);
    expect(await certCount(alice.user.id)).toBe(before);
  });

  it('accepts P-384 and RSA-2048 CSRs', async () => {
    expect((await issue(alice, laptop.deviceId, makeCsr('p384').pem)).status).toBe(201);
    expect((await issue(alice, laptop.deviceId, makeCsr('rsa2048').pem)).status).toBe(201);
  });

  it('refuses a session without a security-key verification', async () => {
    const oidcOnly = await f.agent(alice.user, { amr: ['oidc'], verifiedAt: null });
    const seq = await f.auditHead();
    const before = await certCount(alice.user.id);
    await expectRefused(await issue(oidcOnly, laptop.deviceId), 401, { reason: 'webauthn-required' }, seq);
    const pendingKey = await f.agent(alice.user, { state: 'pending-key', verifiedAt: null });
    expect((await issue(pendingKey, laptop.deviceId)).json).toMatchObject({ status: 401, reason: 'webauthn-required' });
    expect(await certCount(alice.user.id)).toBe(before);
  });

  it('refuses a pending device', async () => {
    const vera = await f.agent(await f.user('vera', { kind: 'vendor', roles: ['vendor'] }));
    const d = await f.enroll(vera);
    expect(d.state).toBe('pending');
    const seq = await f.auditHead();
    await expectRefused(await issue(vera, d.deviceId), 403, { reason: 'device-pending' }, seq);
    expect(await certCount(vera.user.id)).toBe(0);
  });

  it("refuses a certificate for another user's device", async () => {
    const bob = await f.agent(await f.user('bob'));
    const seq = await f.auditHead();
    await expectRefused(await issue(bob, laptop.deviceId), 404, { reason: 'device-not-found' }, seq);
  });

  it('refuses a device without posture, and one whose posture is stale', async () => {
    const d = await f.enroll(alice);
    let seq = await f.auditHead();
    await expectRefused(await issue(alice, d.deviceId), 403, { reason: 'posture-missing' }, seq);
    await f.report(alice, d.deviceId, d.key.privateKey);
    seq = await f.auditHead();
    f.skew.ms = 15 * 60_000 + 1000;
    try {
      await expectRefused(await issue(alice, d.deviceId), 403, { reason: 'posture-stale' }, seq);
    } finally {
      f.skew.ms = 0;
    }
  });

  it('asks policy: an untrusted device is denied with the policy reason', async () => {
    const d = await f.enroll(alice);
    const bad = { value: 400 * 86400, status: 'ok', source: 'dpkg.log' };
    const r = await f.report(alice, d.deviceId, d.key.privateKey, { signals: { lastPackageUpdateAgeSeconds: bad } });
    expect(r.json.tier).toBe('untrusted');
    const seq = await f.auditHead();
    await expectRefused(await issue(alice, d.deviceId), 403, { reason: 'policy-denied', detail: expect.stringContaining('device-untrusted') }, seq);
    const decisions = await f.auditSince(seq, 'decision');
    expect(decisions.some((e) => e.outcome === 'deny' && e.detail.includes('certificate.issue'))).toBe(true);
  });

  it('refuses a grant id when no active grant backs it', async () => {
    const seq = await f.auditHead();
    await expectRefused(await issue(alice, laptop.deviceId, undefined, { grantId: 'g-1' }), 403, { reason: 'grant-invalid' }, seq);
  });

  it("revokes a device's certificates when an admin revokes the device (CA and CRL)", async () => {
    const d = await f.enroll(alice);
    await f.report(alice, d.deviceId, d.key.privateKey);
    const serials = [(await issue(alice, d.deviceId)).json.serial, (await issue(alice, d.deviceId)).json.serial] as string[];
    const keep = (await issue(alice, laptop.deviceId)).json.serial as string;
    const admin = await f.agent(await f.user('root', { roles: ['admin'] }));
    events.length = 0;
    const r = await f.call(admin, 'POST', `/admin/devices/${d.deviceId}/revoke`);
    expect(r.status).toBe(200);
    expect([...r.json.revokedCertificates].sort()).toEqual([...serials].sort());
    for (const s of serials) expect(f.broker.ca.isRevoked(s)).toBe(true);
    expect(f.broker.ca.isRevoked(keep)).toBe(false);
    const crlFile = path.join(f.home, 'now.crl');
    writeFileSync(crlFile, await f.broker.ca.crlDer());
    const text = openssl(['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text']);
    for (const s of serials) expect(text.toUpperCase()).toContain(s.toUpperCase());
    expect(text.toUpperCase()).not.toContain(keep.toUpperCase());
    await f.broker.bus.drain();
    // Each certificate announced once, although the device.revoked handler ran too.
    const announced = events.filter((e) => e.type === 'certificate.revoked').map((e) => (e as { serial: string }).serial);
    expect(announced.sort()).toEqual([...serials].sort());
    expect(events.filter((e) => e.type === 'device.revoked')).toHaveLength(1);
    const seq = await f.auditHead();
    await expectRefused(await issue(alice, d.deviceId), 403, { reason: 'device-revoked' }, seq);
  });

  it("revokes a session's certificates when the session ends, once", async () => {
    const s2 = await f.agent(alice.user);
    const serial = (await issue(s2, laptop.deviceId)).json.serial as string;
    const other = (await issue(alice, laptop.deviceId)).json.serial as string;
    events.length = 0;
    await f.broker.identity.sessions.endSession({ sessionId: s2.sessionId, reason: 'logout' });
    await f.broker.bus.drain();
    await f.broker.bus.drain();
    expect(f.broker.ca.isRevoked(serial)).toBe(true);
    expect(f.broker.ca.isRevoked(other)).toBe(false);
    expect(events.filter((e) => e.type === 'certificate.revoked')).toEqual([{ type: 'certificate.revoked', serial, reason: 'cessationOfOperation' }]);
  });

  it("revokes all of a user's certificates when the user is disabled", async () => {
    const carl = await f.agent(await f.user('carl'));
    const d = await f.enroll(carl);
    await f.report(carl, d.deviceId, d.key.privateKey);
    const serial = (await issue(carl, d.deviceId)).json.serial as string;
    const unrelated = (await issue(alice, laptop.deviceId)).json.serial as string;
    await f.broker.identity.sessions.disableUser(carl.user.id, 'admin');
    await f.broker.bus.drain();
    await f.broker.bus.drain();
    expect(f.broker.ca.isRevoked(serial)).toBe(true);
    expect(f.broker.ca.isRevoked(unrelated)).toBe(false);
    expect((await f.broker.store.certificates.get(serial))?.revocationReason).toMatch(/privilegeWithdrawn|cessationOfOperation/);
  });
});
