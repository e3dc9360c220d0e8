// ES256 compact JWS made by the agent verifies with the public JWK alone; any change breaks it.
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signCompactJws, type EcPublicJwk } from './compactJws.js';
import { fileDeviceKeyStore } from './fileDeviceKeyStore.js';

function verifyCompactJws(jws: string, jwk: EcPublicJwk): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const parts = jws.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  const key = createPublicKey({ key: { ...jwk }, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(`${h}.${p}`, 'ascii'), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
  if (!ok) return undefined;
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')), payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) };
}

describe('signCompactJws (RFC 7515, ES256)', () => {
  let home: string;
  beforeEach(() => void (home = mkdtempSync(path.join(tmpdir(), 'radgate-jws-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('verifies with the device public JWK, and tampering with header, payload or signature breaks it', async () => {
    const key = await fileDeviceKeyStore(home).create();
    const jws = await signCompactJws({ alg: 'ES256', typ: 'radgate-enroll+jwt', jwk: key.publicJwk }, { facts: { hostname: 'h' }, iat: 1 }, (d) => key.sign(d));
    expect(jws).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    const v = verifyCompactJws(jws, key.publicJwk);
    expect(v?.header).toEqual({ alg: 'ES256', typ: 'radgate-enroll+jwt', jwk: key.publicJwk });
    expect(v?.payload).toEqual({ facts: { hostname: 'h' }, iat: 1 });

    const [h, p, s] = jws.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ facts: { hostname: 'evil' }, iat: 1 })).toString('base64url');
    expect(verifyCompactJws(`${h}.${forged}.${s}`, key.publicJwk)).toBeUndefined();
    const forgedHeader = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'radgate-posture+jwt' })).toString('base64url');
    expect(verifyCompactJws(`${forgedHeader}.${p}.${s}`, key.publicJwk)).toBeUndefined();
    const sig = Buffer.from(s, 'base64url');
    sig.writeUInt8(sig.readUInt8(10) ^ 1, 10);
    expect(verifyCompactJws(`${h}.${p}.${sig.toString('base64url')}`, key.publicJwk)).toBeUndefined();
    const other = await fileDeviceKeyStore(mkdtempSync(path.join(tmpdir(), 'radgate-jws2-'))).create();
    expect(verifyCompactJws(jws, other.publicJwk)).toBeUndefined();
  });

  it('refuses any alg but ES256', async () => {
    await expect(signCompactJws({ alg: 'none' }, {}, async () => Buffer.alloc(64))).rejects.toThrow(/ES256/);
  });
});
