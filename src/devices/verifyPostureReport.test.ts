import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyEnrolmentRequest } from './verifyEnrolmentRequest.js';
import { verifyPostureReport } from './verifyPostureReport.js';

const key = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function jws(header: Record<string, unknown>, payload: unknown, k: KeyObject, dsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363'): string {
  const input = `${b64({ alg: 'ES256', ...header })}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: k, dsaEncoding }).toString('base64url')}`;
}
const now = 1_700_000_000_000;
const nonce = 'n'.repeat(43);
const report = { deviceId: 'dev-1', nonce, collectedAt: now, agentVersion: '0.1.0', signals: { diskEncrypted: { value: true, status: 'ok', source: 'lsblk' } } };
const typ = { typ: 'radgate-posture+jwt' };

describe('verifyPostureReport', () => {
  const k = key();
  const expect_ = { deviceId: 'dev-1', deviceKey: k.publicKey, now, maxClockSkewSeconds: 300 };
  const reason = (p: Promise<unknown>) => p.then(() => 'accepted', (e: { reason?: string }) => e.reason);

  it('accepts a report signed by the device for the device', async () => {
    expect((await verifyPostureReport(jws(typ, report, k.privateKey), expect_)).nonce).toBe(nonce);
  });
  it.each<[string, () => string, string]>([
    ['a DER-encoded signature (JWS wants r||s)', () => jws(typ, report, k.privateKey, 'der'), 'signature-invalid'],
    ['another key', () => jws(typ, report, key().privateKey), 'signature-invalid'],
    ['another device id', () => jws(typ, { ...report, deviceId: 'dev-2' }, k.privateKey), 'device-mismatch'],
    ['an enrolment typ', () => jws({ typ: 'radgate-enroll+jwt' }, report, k.privateKey), 'request-malformed'],
    ['collected ten minutes ago', () => jws(typ, { ...report, collectedAt: now - 600_000 }, k.privateKey), 'collected-out-of-range'],
    ['an unknown signal name', () => jws(typ, { ...report, signals: { rootkit: { value: false, status: 'ok', source: 'x' } } }, k.privateKey), 'request-malformed'],
    ['an extra top-level field', () => jws(typ, { ...report, tier: 'high' }, k.privateKey), 'request-malformed'],
    ['HS256', () => jws({ ...typ, alg: 'HS256' }, report, k.privateKey), 'algorithm-not-allowed'],
  ])('refuses %s', async (_n, make, r) => {
    expect(await reason(verifyPostureReport(make(), expect_))).toBe(r);
  });
});

describe('verifyEnrolmentRequest', () => {
  const k = key();
  const jwk = k.publicKey.export({ format: 'jwk' });
  const payload = { facts: { hostname: 'h', os: 'linux', machineId: 'm' }, iat: now / 1000 };
  const reason = (p: Promise<unknown>) => p.then(() => 'accepted', (e: { reason?: string }) => e.reason);

  it('accepts proof of possession of the embedded P-256 key', async () => {
    const r = await verifyEnrolmentRequest(jws({ typ: 'radgate-enroll+jwt', jwk }, payload, k.privateKey), { now });
    expect(r.spkiPem).toContain('BEGIN PUBLIC KEY');
  });
  it.each<[string, () => string, string]>([
    ['a P-384 key', () => { const p = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }); return jws({ typ: 'radgate-enroll+jwt', jwk: p.publicKey.export({ format: 'jwk' }) }, payload, p.privateKey); }, 'key-unsupported'],
    ['a JWK carrying the private key', () => jws({ typ: 'radgate-enroll+jwt', jwk: k.privateKey.export({ format: 'jwk' }) }, payload, k.privateKey), 'key-unsupported'],
    ['no JWK', () => jws({ typ: 'radgate-enroll+jwt' }, payload, k.privateKey), 'key-unsupported'],
    ['facts missing the machine id', () => jws({ typ: 'radgate-enroll+jwt', jwk }, { ...payload, facts: { hostname: 'h', os: 'linux' } }, k.privateKey), 'request-malformed'],
    ['an iat six minutes ahead', () => jws({ typ: 'radgate-enroll+jwt', jwk }, { ...payload, iat: now / 1000 + 360 }, k.privateKey), 'iat-out-of-range'],
  ])('refuses %s', async (_n, make, r) => {
    expect(await reason(verifyEnrolmentRequest(make(), { now }))).toBe(r);
  });
});
