// For gateways: who a verified client certificate speaks for, from its URI SANs.
// Call only after the TLS layer verified the chain against trustPem().
import type { X509Certificate } from 'node:crypto';
import { parseIdentityUri, type IdentityKind } from './identityUris.js';
import { normalizeSerial } from './serial.js';

export interface CertificateIdentity {
  /** Canonical hex serial, as isRevoked() expects it. */
  serial: string;
  userId: string;
  deviceId: string;
  sessionId: string;
  grantId: string | undefined;
}

/** node:tls getPeerCertificate() or an X509Certificate. */
export type PeerCertificateLike = X509Certificate | { serialNumber: string; subjectaltname?: string | undefined };

/**
 * Undefined unless the certificate names exactly one user, device and session (and at
 * most one grant); any other radgate URI shape makes it unusable, never partly used.
 */
export function readCertificateIdentity(cert: PeerCertificateLike): CertificateIdentity | undefined {
  const san = 'subjectAltName' in cert ? cert.subjectAltName : cert.subjectaltname;
  const serial = normalizeSerial(cert.serialNumber ?? '');
  // node quotes names with special characters as JSON strings; ours never need quoting,
  // and a quoted name could smuggle ", URI:…" past the split below.
  if (!san || !serial || san.includes('"')) return undefined;
  const found: Partial<Record<IdentityKind, string>> = {};
  for (const entry of san.split(', ')) {
    if (!entry.startsWith('URI:')) continue;
    const value = entry.slice(4);
    if (!value.startsWith('urn:radgate:')) continue;
    const parsed = parseIdentityUri(value);
    if (!parsed || found[parsed.kind] !== undefined) return undefined;
    found[parsed.kind] = parsed.id;
  }
  if (found.user === undefined || found.device === undefined || found.session === undefined) return undefined;
  return { serial, userId: found.user, deviceId: found.device, sessionId: found.session, grantId: found.grant };
}
