// CSRs built by the agent's DER writer are valid PKCS#10, as OpenSSL judges them.
import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCsr } from './buildCsr.js';
import { integer, oid } from './derWriter.js';

describe('buildCsr', () => {
  it('builds a P-256 CSR that openssl req -verify accepts, carrying the public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const csr = buildCsr({ privateKey, publicKey, commonName: 'radgate-agent' });
    const dir = mkdtempSync(path.join(tmpdir(), 'radgate-csr-'));
    try {
      const file = path.join(dir, 'req.pem');
      writeFileSync(file, csr.pem);
      // OpenSSL 3.0 exits 0 either way; the verdict is the line it prints.
      const ok = spawnSync('openssl', ['req', '-in', file, '-verify', '-noout', '-subject'], { encoding: 'utf8' });
      expect(ok.stderr + ok.stdout).toContain('self-signature verify OK');
      expect(ok.stdout).toMatch(/subject=CN\s*=\s*radgate-agent/);
      const pub = execFileSync('openssl', ['req', '-in', file, '-noout', '-pubkey'], { encoding: 'utf8' });
      expect(createPublicKey(pub).equals(publicKey)).toBe(true);
      // And a corrupted signature is rejected.
      const bad = Buffer.from(csr.der);
      bad.writeUInt8(bad.readUInt8(bad.length - 5) ^ 0x01, bad.length - 5);
      writeFileSync(file, `-----BEGIN CERTIFICATE REQUEST-----\n${bad.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`);
      const bad2 = spawnSync('openssl', ['req', '-in', file, '-verify', '-noout'], { encoding: 'utf8' });
      expect(bad2.stderr + bad2.stdout).not.toContain('verify OK');
      expect(bad2.stderr + bad2.stdout).toMatch(/verify failure|error/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('signs the CertificationRequestInfo with ecdsa-with-SHA256', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { der } = buildCsr({ privateKey, publicKey });
    // SEQUENCE { info SEQUENCE, alg, BIT STRING }: re-verify the info bytes ourselves.
    const infoStart = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
    const infoLen = der[infoStart + 1]! & 0x80 ? der.readUIntBE(infoStart + 2, der[infoStart + 1]! & 0x7f) + 2 + (der[infoStart + 1]! & 0x7f) : der[infoStart + 1]! + 2;
    const info = der.subarray(infoStart, infoStart + infoLen);
    const alg = Buffer.from('300a06082a8648ce3d040302', 'hex');
    expect(der.subarray(infoStart + infoLen, infoStart + infoLen + alg.length).equals(alg)).toBe(true);
    const sigBits = der.subarray(infoStart + infoLen + alg.length);
    const sig = sigBits.subarray(sigBits[1]! & 0x80 ? 3 + (sigBits[1]! & 0x7f) : 3);
    expect(verify('sha256', info, { key: publicKey, dsaEncoding: 'der' }, sig)).toBe(true);
  });

  it('refuses keys other than P-256', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => buildCsr({ privateKey, publicKey })).toThrow(/P-256/);
  });

  it('encodes DER integers and OIDs as X.690 says', () => {
    expect(integer(0).toString('hex')).toBe('020100');
    expect(integer(128).toString('hex')).toBe('02020080');
    expect(oid('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
    expect(oid('2.5.4.3').toString('hex')).toBe('0603550403');
  });
});
