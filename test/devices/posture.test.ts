// Enrolment and signed posture against a real broker: each bad input is refused with a
// typed error, leaves an audit event and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceFixture, deviceKey, goodSignals, signJws, type Agent, type Fixture } from './deviceFixture.js';

describe('device enrolment and posture', () => {
  let f: Fixture;
  let alice: Agent;
  let device: { deviceId: string; key: ReturnType<typeof deviceKey> };

  beforeAll(async () => {
    f = await deviceFixture();
    alice = await f.agent(await f.user('alice'));
    device = await f.enroll(alice);
  });
  afterAll(async () => f?.close());

  /** What a refused report must leave untouched. */
  const snapshot = async (deviceId: string) => {
    const row = await f.broker.store.devices.get(deviceId);
    const latest = await f.broker.store.devices.latestPosture(deviceId);
    return { state: row?.state, tier: row?.tier, postureAt: row?.postureAt, latest: latest?.id ?? null };
  };

  const expectRefused = async (r: { status: number; json: any }, status: number, reason: string, since: number, type = 'device.posture') => {
    expect(r.status).toBe(status);
    expect(r.json).toMatchObject({ reason });
    const events = await f.auditSince(since, type);
    expect(events.some((e) => e.outcome === 'failure' && JSON.parse(e.detail).reason === reason)).toBe(true);
  };

  it('enrols an auto-approved user active and lists the device for its owner only', async () => {
    expect(device.deviceId).toMatch(/^dev_/);
    const mine = await f.call(alice, 'GET', '/devices');
    expect(mine.status).toBe(200);
    expect(mine.json).toEqual([expect.objectContaining({ id: device.deviceId, state: 'active', tier: null, postureAt: null })]);
    const bob = await f.agent(await f.user('bob'));
    expect((await f.call(bob, 'GET', '/devices')).json).toEqual([]);
  });

  it('enrols a user outside the auto-approve roles as pending', async () => {
    const vendor = await f.agent(await f.user('vera', { kind: 'vendor', roles: ['vendor'] }));
    expect((await f.enroll(vendor)).state).toBe('pending');
  });

  it('refuses a device key that is already enrolled', async () => {
    const seq = await f.auditHead();
    const before = (await f.broker.store.devices.list()).length;
    const jws = signJws({ typ: 'radgate-enroll+jwt', jwk: device.key.jwk }, { facts: { hostname: 'h', os: 'linux', machineId: 'm' }, iat: Math.floor(f.now() / 1000) }, device.key.privateKey);
    await expectRefused(await f.call(alice, 'POST', '/devices/enroll', { jws }), 409, 'key-already-enrolled', seq, 'device.enroll');
    expect((await f.broker.store.devices.list()).length).toBe(before);
  });

  it('refuses an enrolment signed by another key than the one it presents', async () => {
    const seq = await f.auditHead();
    const jws = signJws({ typ: 'radgate-enroll+jwt', jwk: deviceKey().jwk }, { facts: { hostname: 'h', os: 'linux', machineId: 'm' }, iat: Math.floor(f.now() / 1000) }, deviceKey().privateKey);
    await expectRefused(await f.call(alice, 'POST', '/devices/enroll', { jws }), 400, 'signature-invalid', seq, 'device.enroll');
  });

  it('refuses an enrolment whose iat is more than five minutes off', async () => {
    const seq = await f.auditHead();
    const k = deviceKey();
    const jws = signJws({ typ: 'radgate-enroll+jwt', jwk: k.jwk }, { facts: { hostname: 'h', os: 'linux', machineId: 'm' }, iat: Math.floor(f.now() / 1000) - 400 }, k.privateKey);
    await expectRefused(await f.call(alice, 'POST', '/devices/enroll', { jws }), 400, 'iat-out-of-range', seq, 'device.enroll');
  });

  it('refuses enrolment without a session', async () => {
    expect((await f.call(undefined, 'POST', '/devices/enroll', { jws: 'a.b.c' })).json).toMatchObject({ status: 401, reason: 'session-required' });
  });

  it('verifies a signed report, stores it and computes the tier from the rules', async () => {
    const r = await f.report(alice, device.deviceId, device.key.privateKey);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ tier: 'high', reasons: [] });
    expect(r.json.staleAfter - r.json.postureAt).toBe(15 * 60 * 1000);
    const low = await f.report(alice, device.deviceId, device.key.privateKey, { signals: { ...goodSignals, diskEncrypted: { value: false, status: 'ok', source: 'lsblk' } } });
    expect(low.json).toMatchObject({ tier: 'low', reasons: ['disk-not-encrypted'] });
    expect((await f.broker.store.devices.get(device.deviceId))?.tier).toBe('low');
    await f.report(alice, device.deviceId, device.key.privateKey);
  });

  it('refuses a report whose field was changed after signing, and keeps its nonce unspent', async () => {
    const before = await snapshot(device.deviceId);
    const seq = await f.auditHead();
    const bad = await f.report(alice, device.deviceId, device.key.privateKey, {
      signals: { ...goodSignals, diskEncrypted: { value: false, status: 'ok', source: 'lsblk' } },
      tamper: (jws) => {
        const [h, p, s] = jws.split('.');
        const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
        payload.signals.diskEncrypted.value = true;
        return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
      },
    });
    await expectRefused(bad, 400, 'signature-invalid', seq);
    expect(await snapshot(device.deviceId)).toEqual(before);
    // The forged report burnt nothing: the genuine one with the same nonce passes.
    expect((await f.report(alice, device.deviceId, device.key.privateKey, { nonce: bad.nonce })).status).toBe(200);
  });

  it('refuses a replayed nonce', async () => {
    const first = await f.report(alice, device.deviceId, device.key.privateKey);
    expect(first.status).toBe(200);
    const before = await snapshot(device.deviceId);
    const seq = await f.auditHead();
    await expectRefused(await f.report(alice, device.deviceId, device.key.privateKey, { nonce: first.nonce }), 400, 'nonce-invalid', seq);
    expect(await snapshot(device.deviceId)).toEqual(before);
  });

  it('refuses a nonce older than 60 seconds', async () => {
    const n = await f.call(alice, 'POST', `/devices/${device.deviceId}/posture/nonce`);
    expect(n.json.expiresAt - f.now()).toBeLessThanOrEqual(60_000);
    const before = await snapshot(device.deviceId);
    const seq = await f.auditHead();
    f.skew.ms = 61_000;
    try {
      await expectRefused(await f.report(alice, device.deviceId, device.key.privateKey, { nonce: n.json.nonce }), 400, 'nonce-invalid', seq);
    } finally {
      f.skew.ms = 0;
    }
    expect(await snapshot(device.deviceId)).toEqual(before);
  });

  it("refuses a report signed by another device's key", async () => {
    const other = await f.enroll(alice);
    const before = await snapshot(device.deviceId);
    const seq = await f.auditHead();
    await expectRefused(await f.report(alice, device.deviceId, other.key.privateKey), 400, 'signature-invalid', seq);
    expect(await snapshot(device.deviceId)).toEqual(before);
  });

  it('refuses a nonce issued for another device', async () => {
    const other = await f.enroll(alice);
    const n = await f.call(alice, 'POST', `/devices/${other.deviceId}/posture/nonce`);
    const seq = await f.auditHead();
    await expectRefused(await f.report(alice, device.deviceId, device.key.privateKey, { nonce: n.json.nonce }), 400, 'nonce-invalid', seq);
  });

  it("refuses a report for someone else's device as if it did not exist", async () => {
    const bob = await f.agent(await f.user('bob2'));
    const seq = await f.auditHead();
    await expectRefused(await f.report(bob, device.deviceId, device.key.privateKey, { nonce: 'A'.repeat(43) }), 404, 'device-not-found', seq);
  });

  it('refuses an oversized report and a report that is not JSON', async () => {
    const before = await snapshot(device.deviceId);
    let seq = await f.auditHead();
    const big = JSON.stringify({ jws: 'a'.repeat(65 * 1024) });
    await expectRefused(await f.call(alice, 'POST', `/devices/${device.deviceId}/posture`, undefined, { body: big }), 413, 'request-too-large', seq);
    seq = await f.auditHead();
    await expectRefused(await f.call(alice, 'POST', `/devices/${device.deviceId}/posture`, undefined, { body: '{"jws": nope' }), 400, 'request-malformed', seq);
    seq = await f.auditHead();
    await expectRefused(await f.call(alice, 'POST', `/devices/${device.deviceId}/posture`, { jws: 'not-a-jws' }), 400, 'request-malformed', seq);
    expect(await snapshot(device.deviceId)).toEqual(before);
  });

  it('refuses a report with an algorithm other than ES256', async () => {
    const seq = await f.auditHead();
    const bad = await f.report(alice, device.deviceId, device.key.privateKey, { tamper: (jws) => {
      const [, p, s] = jws.split('.');
      return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'radgate-posture+jwt' })).toString('base64url')}.${p}.${s}`;
    } });
    await expectRefused(bad, 400, 'algorithm-not-allowed', seq);
  });

  it('refuses a report for a revoked device', async () => {
    const d = await f.enroll(alice);
    expect((await f.report(alice, d.deviceId, d.key.privateKey)).status).toBe(200);
    const n = await f.call(alice, 'POST', `/devices/${d.deviceId}/posture/nonce`);
    await f.broker.store.devices.setState(d.deviceId, ['active'], 'revoked', Date.now());
    const before = await snapshot(d.deviceId);
    const seq = await f.auditHead();
    await expectRefused(await f.report(alice, d.deviceId, d.key.privateKey, { nonce: n.json.nonce }), 403, 'device-revoked', seq);
    expect(await snapshot(d.deviceId)).toEqual(before);
  });
});

describe('device context for other gates', () => {
  it('gives tier, staleness and posture age of an active own device, nothing otherwise', async () => {
    const f = await deviceFixture();
    try {
      const a = await f.agent(await f.user('dora'));
      const d = await f.enroll(a);
      expect(await f.devices.deviceContext(d.deviceId, a.user.id)).toEqual({ id: d.deviceId, managed: true, tier: 'untrusted', stale: true });
      await f.report(a, d.deviceId, d.key.privateKey);
      const fresh = await f.devices.deviceContext(d.deviceId, a.user.id);
      expect(fresh).toMatchObject({ tier: 'high', stale: false });
      expect(fresh?.postureAgeSeconds).toBeLessThan(5);
      f.skew.ms = 16 * 60_000;
      const old = await f.devices.deviceContext(d.deviceId, a.user.id);
      expect(old).toMatchObject({ tier: 'high', stale: true });
      expect(old?.postureAgeSeconds).toBeGreaterThanOrEqual(960);
      expect(await f.devices.deviceContext(d.deviceId, 'someone-else')).toBeUndefined();
    } finally {
      await f.close();
    }
  });
});
