// Administration of devices and service principals: role, step-up, state transitions.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCsr } from '../ca/makeCsr.js';
import { deviceFixture, type Agent, type Fixture } from './deviceFixture.js';

describe('device administration', () => {
  let f: Fixture;
  let admin: Agent;
  let vera: Agent;

  beforeAll(async () => {
    // Service certificates live 30 days: the CA's clamp must allow it.
    f = await deviceFixture({ 'ca.clientCertMaxTtl': '30d' });
    admin = await f.agent(await f.user('ada', { roles: ['admin'] }));
    vera = await f.agent(await f.user('vera', { kind: 'vendor', roles: ['vendor'] }));
  });
  afterAll(async () => f?.close());

  it('lists pending devices for admins and refuses everybody else', async () => {
    const d = await f.enroll(vera);
    const list = await f.call(admin, 'GET', '/admin/devices?state=pending');
    expect(list.status).toBe(200);
    expect(list.json).toEqual(expect.arrayContaining([expect.objectContaining({ id: d.deviceId, userId: vera.user.id, state: 'pending', facts: { hostname: 'ws-1', os: 'linux', machineId: 'm-1' } })]));
    expect(list.json.every((x: { state: string }) => x.state === 'pending')).toBe(true);
    expect((await f.call(vera, 'GET', '/admin/devices')).json).toMatchObject({ status: 403, reason: 'admin-required' });
  });

  it('approves a pending device only with a fresh step-up', async () => {
    const d = await f.enroll(vera);
    const stale = await f.agent(admin.user, { verifiedAt: Date.now() - 6 * 60_000 });
    const seq = await f.auditHead();
    const refused = await f.call(stale, 'POST', `/admin/devices/${d.deviceId}/approve`);
    expect(refused.json).toMatchObject({ status: 403, reason: 'step-up-required' });
    expect((await f.broker.store.devices.get(d.deviceId))?.state).toBe('pending');
    expect((await f.auditSince(seq, 'device.approve')).map((e) => e.outcome)).toEqual(['failure']);

    expect((await f.call(vera, 'POST', `/admin/devices/${d.deviceId}/approve`)).json).toMatchObject({ reason: 'admin-required' });
    const ok = await f.call(admin, 'POST', `/admin/devices/${d.deviceId}/approve`);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ id: d.deviceId, state: 'active' });
    expect((await f.broker.store.devices.get(d.deviceId))?.state).toBe('active');
    expect((await f.call(admin, 'POST', `/admin/devices/${d.deviceId}/approve`)).json).toMatchObject({ status: 409, reason: 'device-not-pending' });
    // The approved device can now report posture and obtain a certificate.
    await f.report(vera, d.deviceId, d.key.privateKey);
    const cert = await f.call(vera, 'POST', '/certificates', { csr: makeCsr('p256').pem, deviceId: d.deviceId });
    expect(cert.status).toBe(201);
    // A vendor's role maximum is 4 h.
    expect(Date.parse(cert.json.notAfter) - Date.now()).toBeLessThanOrEqual(4 * 3600_000);
    expect(Date.parse(cert.json.notAfter) - Date.now()).toBeGreaterThan(4 * 3600_000 - 5000);
  });

  it('revokes only with a fresh step-up', async () => {
    const d = await f.enroll(vera);
    const stale = await f.agent(admin.user, { verifiedAt: Date.now() - 6 * 60_000 });
    expect((await f.call(stale, 'POST', `/admin/devices/${d.deviceId}/revoke`)).json).toMatchObject({ reason: 'step-up-required' });
    expect((await f.broker.store.devices.get(d.deviceId))?.state).toBe('pending');
    expect((await f.call(admin, 'POST', `/admin/devices/${d.deviceId}/revoke`)).json).toMatchObject({ state: 'revoked' });
    expect((await f.call(admin, 'POST', `/admin/devices/${d.deviceId}/revoke`)).json).toMatchObject({ status: 403, reason: 'device-revoked' });
  });

  it('issues a 30-day service certificate bound to registered AE titles, then revokes it', async () => {
    const body = { name: 'CT scanner 2', ownerUserId: admin.user.id, aeTitles: ['CT2_RAD'], host: 'ct2.rad.example', csr: makeCsr('p256').pem };
    const r = await f.call(admin, 'POST', '/admin/service-principals', body);
    expect(r.status).toBe(201);
    const sp = r.json.servicePrincipal;
    expect(sp).toMatchObject({ name: 'CT scanner 2', ownerUserId: admin.user.id, aeTitles: ['CT2_RAD'], host: 'ct2.rad.example', state: 'active' });
    const x = new X509Certificate(r.json.certificate.certificatePem);
    expect(x.subjectAltName).toContain(`URI:urn:radgate:device:${sp.id}`);
    const ttl = Date.parse(r.json.certificate.notAfter) - Date.now();
    expect(ttl).toBeGreaterThan(30 * 86400_000 - 5000);
    expect(ttl).toBeLessThanOrEqual(30 * 86400_000);
    const audit = await f.auditSince(0, 'service-principal.create');
    expect(audit.some((e) => e.outcome === 'success' && e.detail.includes(sp.id))).toBe(true);

    const rv = await f.call(admin, 'POST', `/admin/service-principals/${sp.id}/revoke`);
    expect(rv.json).toMatchObject({ state: 'revoked', revokedCertificates: [r.json.certificate.serial] });
    expect(f.broker.ca.isRevoked(r.json.certificate.serial)).toBe(true);
  });

  it('refuses a service principal with a bad AE title, unknown owner or bad CSR, storing nothing', async () => {
    const before = (await f.broker.store.devices.listServicePrincipals()).length;
    const base = { name: 'MR', ownerUserId: admin.user.id, aeTitles: ['MR1'], csr: makeCsr('p256').pem };
    expect((await f.call(admin, 'POST', '/admin/service-principals', { ...base, aeTitles: ['WAY_TOO_LONG_AE_TITLE'] })).json).toMatchObject({ status: 400, reason: 'request-malformed' });
    expect((await f.call(admin, 'POST', '/admin/service-principals', { ...base, aeTitles: ['BAD\\AE'] })).json).toMatchObject({ status: 400 });
    expect((await f.call(admin, 'POST', '/admin/service-principals', { ...base, ownerUserId: 'nobody' })).json).toMatchObject({ reason: 'owner-not-found' });
    expect((await f.call(admin, 'POST', '/admin/service-principals', { ...base, csr: makeCsr('rsa1024').pem })).json).toMatchObject({ code: 'csr-key-unsupported' });
    expect((await f.call(vera, 'POST', '/admin/service-principals', base)).json).toMatchObject({ reason: 'admin-required' });
    expect((await f.broker.store.devices.listServicePrincipals()).length).toBe(before);
  });
});
