import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointKeyId, loadCheckpointPublicKey, loadOrCreateCheckpointKey } from './checkpointKey.js';
import { signCheckpoint, verifyCheckpointSignature } from './signCheckpoint.js';
import { sha256Hex } from './sha256Hex.js';

const dirs: string[] = [];
const tempHome = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'radgate-cpkey-'));
  dirs.push(d);
  return path.join(d, 'home');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('checkpoint key', () => {
  it('is created on first use as a 0600 Ed25519 key, with its public key exported beside it', () => {
    const home = tempHome();
    const key = loadOrCreateCheckpointKey(home);
    expect(statSync(path.join(home, 'audit-checkpoint.key')).mode & 0o777).toBe(0o600);
    expect(key.privateKey.asymmetricKeyType).toBe('ed25519');
    const pub = loadCheckpointPublicKey(home);
    expect(pub.equals(key.publicKey)).toBe(true);
    expect(readFileSync(path.join(home, 'audit-checkpoint.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('is loaded, not replaced, on the next start', () => {
    const home = tempHome();
    const first = loadOrCreateCheckpointKey(home);
    const second = loadOrCreateCheckpointKey(home);
    expect(second.keyId).toBe(first.keyId);
  });

  it.each([0o640, 0o604, 0o644, 0o660])('is refused when its mode is %o (group or world can read it)', (mode) => {
    const home = tempHome();
    loadOrCreateCheckpointKey(home);
    chmodSync(path.join(home, 'audit-checkpoint.key'), mode);
    expect(() => loadOrCreateCheckpointKey(home)).toThrow(expect.objectContaining({ code: 'audit-key-insecure', message: expect.stringMatching(/readable by group or others/) }));
  });

  it('is refused when it is not Ed25519', () => {
    const home = tempHome();
    loadOrCreateCheckpointKey(home);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(path.join(home, 'audit-checkpoint.key'), privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    expect(() => loadOrCreateCheckpointKey(home)).toThrow(/not Ed25519/);
  });

  it('re-exports a public key that no longer matches the private key', () => {
    const home = tempHome();
    const key = loadOrCreateCheckpointKey(home);
    const other = generateKeyPairSync('ed25519').publicKey;
    writeFileSync(path.join(home, 'audit-checkpoint.pub'), other.export({ format: 'pem', type: 'spki' }));
    loadOrCreateCheckpointKey(home);
    expect(loadCheckpointPublicKey(home).equals(key.publicKey)).toBe(true);
  });

  it('has a keyId that is the SHA-256 hex prefix of the raw 32-byte public key', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const raw = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32);
    expect(checkpointKeyId(publicKey)).toBe(sha256Hex(raw).slice(0, 16));
  });
});

describe('checkpoint signature', () => {
  it('verifies with the signing key and fails for any changed field or another key', () => {
    const home = tempHome();
    const key = loadOrCreateCheckpointKey(home);
    const cp = signCheckpoint({ seq: 10, hash: 'ab'.repeat(32) }, new Date('2026-01-01T00:00:00Z'), key);
    expect(verifyCheckpointSignature(cp, key.publicKey)).toBe(true);
    expect(verifyCheckpointSignature({ ...cp, seq: 11 }, key.publicKey)).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, hash: 'cd'.repeat(32) }, key.publicKey)).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, time: '2026-01-01T00:00:00.001Z' }, key.publicKey)).toBe(false);
    expect(verifyCheckpointSignature({ ...cp, signature: cp.signature.slice(0, -4) + 'AAA=' }, key.publicKey)).toBe(false);
    expect(verifyCheckpointSignature(cp, generateKeyPairSync('ed25519').publicKey)).toBe(false);
  });
});
