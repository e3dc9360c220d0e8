// SHA-256 certificate fingerprints, printed the way `openssl x509 -fingerprint -sha256`
// and `radgate ca show` print them, compared in constant time.
import { X509Certificate, timingSafeEqual } from 'node:crypto';
import { AgentError } from './AgentError.js';

/** `ab:CD…` or `abcd…` → 64 lower-case hex characters, or undefined. */
export function normalizeFingerprint(input: string): string | undefined {
  const hex = input.replace(/[\s:]/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

export function fingerprintOf(cert: X509Certificate): string {
  return cert.fingerprint256;
}

export function fingerprintMatches(cert: X509Certificate, expected: string): boolean {
  const want = normalizeFingerprint(expected);
  if (!want) throw new AgentError('fingerprint-mismatch', '--ca-fingerprint must be a SHA-256 fingerprint: 64 hex digits, colons optional');
  const got = Buffer.from(normalizeFingerprint(cert.fingerprint256) ?? '', 'hex');
  const exp = Buffer.from(want, 'hex');
  return got.length === exp.length && timingSafeEqual(got, exp);
}

/** Every certificate in a PEM bundle. */
export function parsePemCertificates(pem: string, source: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new AgentError('bad-file', `${source} holds no PEM certificate`);
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch (err) {
    throw new AgentError('bad-file', `${source} holds an unreadable certificate`, { cause: err });
  }
}
