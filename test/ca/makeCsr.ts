// Test and benchmark helper: PKCS#10 requests for any key node:crypto can make, built
// with the CA's DER writer and signed natively; plus real ones from `openssl req`.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bitString, explicit, NULL, oid, sequence, setOf, utf8String } from '../../src/ca/derWriter.js';
import { pemEncode } from '../../src/ca/pem.js';

export type TestKeyKind = 'p256' | 'p384' | 'p521' | 'secp256k1' | 'rsa1024' | 'rsa2048' | 'ed25519' | 'ed448';

export interface TestKeyPair {
  kind: TestKeyKind;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function testKeyPair(kind: TestKeyKind): TestKeyPair {
  const make = (): { privateKey: KeyObject; publicKey: KeyObject } => {
    switch (kind) {
      case 'p256':
        return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      case 'p384':
        return generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
      case 'p521':
        return generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
      case 'secp256k1':
        return generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
      case 'rsa1024':
        return generateKeyPairSync('rsa', { modulusLength: 1024 });
      case 'rsa2048':
        return generateKeyPairSync('rsa', { modulusLength: 2048 });
      case 'ed25519':
        return generateKeyPairSync('ed25519');
      case 'ed448':
        return generateKeyPairSync('ed448');
    }
  };
  return { kind, ...make() };
}

const SIG_ALGS: Record<TestKeyKind, { alg: Buffer; hash: string | null }> = {
  p256: { alg: sequence(oid('1.2.840.10045.4.3.2')), hash: 'sha256' },
  p384: { alg: sequence(oid('1.2.840.10045.4.3.3')), hash: 'sha384' },
  p521: { alg: sequence(oid('1.2.840.10045.4.3.4')), hash: 'sha512' },
  secp256k1: { alg: sequence(oid('1.2.840.10045.4.3.2')), hash: 'sha256' },
  rsa1024: { alg: sequence(oid('1.2.840.113549.1.1.11'), NULL), hash: 'sha256' },
  rsa2048: { alg: sequence(oid('1.2.840.113549.1.1.11'), NULL), hash: 'sha256' },
  ed25519: { alg: sequence(oid('1.3.101.112')), hash: null },
  ed448: { alg: sequence(oid('1.3.101.113')), hash: null },
};

export interface CsrParts {
  /** CertificationRequestInfo DER (what is signed). */
  info: Buffer;
  signatureAlgorithm: Buffer;
  signature: Buffer;
}

export interface CsrOptions {
  cn?: string;
  /** SubjectPublicKeyInfo to put in the request instead of the key pair's own. */
  spki?: Buffer;
  /** AlgorithmIdentifier and hash to sign with instead of the key's usual ones. */
  signatureAlgorithm?: Buffer;
  hash?: string | null;
  /** Sign with this key instead (proof-of-possession failure). */
  signingKey?: KeyObject;
}

export function csrParts(keys: TestKeyPair, o: CsrOptions = {}): CsrParts {
  const spki = o.spki ?? keys.publicKey.export({ type: 'spki', format: 'der' });
  const subject = sequence(setOf(sequence(oid('2.5.4.3'), utf8String(o.cn ?? 'requested-name'))));
  const info = sequence(Buffer.from([0x02, 0x01, 0x00]), subject, spki, explicit(0));
  const { alg, hash } = SIG_ALGS[keys.kind];
  const signature = sign(o.hash !== undefined ? o.hash : hash, info, o.signingKey ?? keys.privateKey);
  return { info, signatureAlgorithm: o.signatureAlgorithm ?? alg, signature };
}

export const assembleCsr = (p: CsrParts): Buffer => sequence(p.info, p.signatureAlgorithm, bitString(p.signature));

export const csrPem = (der: Uint8Array): string => pemEncode('CERTIFICATE REQUEST', der);

export function makeCsr(kind: TestKeyKind = 'p256', o: CsrOptions = {}): { pem: string; der: Buffer; keys: TestKeyPair } {
  const keys = testKeyPair(kind);
  const der = assembleCsr(csrParts(keys, o));
  return { pem: csrPem(der), der, keys };
}

/** A CSR made by `openssl req`, asking for names the CA must ignore. */
export function opensslCsr(keyPem: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'radgate-csr-'));
  try {
    const keyFile = path.join(dir, 'k.pem');
    writeFileSync(keyFile, keyPem, { mode: 0o600 });
    return execFileSync(
      '/usr/bin/openssl',
      ['req', '-new', '-key', keyFile, '-subj', '/CN=admin/O=evil', '-addext', 'subjectAltName=DNS:evil.example,URI:urn:radgate:user:admin', '-addext', 'basicConstraints=critical,CA:TRUE'],
      { encoding: 'utf8' },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
