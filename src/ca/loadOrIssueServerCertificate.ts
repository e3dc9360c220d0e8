// The control plane's own TLS certificate, issued by the intermediate. Reissued (new
// P-256 key) when missing, unreadable, expiring within 30 days, for other names, from
// another issuer, or revoked.
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isRadgateError } from '../errors/index.js';
import { certificateDer, sha256Hex, subjectText, type Authority } from './authority.js';
import { buildServerCertificate } from './buildServerCertificate.js';
import type { CaPaths } from './caPaths.js';
import { hostName, subjectAltName } from './extensions.js';
import { readPrivateKey, writeFileAtomic, writePrivateKey } from './keyFiles.js';
import { validity, type CaLogger } from './loadOrCreateCa.js';
import { pemEncode } from './pem.js';
import { normalizeSerial, randomSerial } from './serial.js';

export const SERVER_LIFETIME_SECONDS = 90 * 86400;
export const SERVER_RENEW_BEFORE_SECONDS = 30 * 86400;

export interface ServerCertificate {
  der: Buffer;
  pem: string;
  key: KeyObject;
  serial: string;
  subject: string;
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  /** True when this call issued it (the caller records it). */
  issued: boolean;
}

export function loadOrIssueServerCertificate(o: {
  paths: CaPaths;
  issuer: Authority;
  names: readonly string[];
  trustDomain: string;
  passphrase: string | undefined;
  now: Date;
  isRevoked: (serial: string) => boolean;
  logger?: CaLogger | undefined;
}): ServerCertificate {
  const wantedSan = subjectAltName(o.names.map(hostName));
  const existing = loadExisting(o.paths, o.passphrase);
  if (existing) {
    const { x509, der, key } = existing;
    const serial = normalizeSerial(x509.serialNumber)!;
    const why = reasonToReissue(existing, serial, wantedSan, o);
    if (!why) {
      return { der, pem: pemEncode('CERTIFICATE', der), key, serial, subject: subjectText(x509), fingerprint: sha256Hex(der), notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo), issued: false };
    }
    o.logger?.info({ serial, why }, 'reissuing the control plane TLS certificate');
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serial = randomSerial();
  const v = validity(o.now, SERVER_LIFETIME_SECONDS);
  const { der, subject } = buildServerCertificate({
    issuer: o.issuer,
    spki: publicKey.export({ type: 'spki', format: 'der' }),
    names: o.names,
    trustDomain: o.trustDomain,
    serial,
    ...v,
  });
  writePrivateKey(o.paths.serverKey, privateKey, o.passphrase);
  writeFileAtomic(o.paths.serverCert, pemEncode('CERTIFICATE', der), 0o644);
  return { der, pem: pemEncode('CERTIFICATE', der), key: privateKey, serial: serial.hex, subject, fingerprint: sha256Hex(der), ...v, issued: true };
}

function reasonToReissue(
  { x509, der }: { x509: X509Certificate; der: Buffer },
  serial: string,
  wantedSan: Buffer,
  o: { issuer: Authority; now: Date; isRevoked: (serial: string) => boolean },
): string | undefined {
  if (!x509.checkIssued(o.issuer.x509) || !x509.verify(o.issuer.x509.publicKey)) return 'issuer changed';
  if (new Date(x509.validTo).getTime() - o.now.getTime() < SERVER_RENEW_BEFORE_SECONDS * 1000) return 'expiring';
  // The SAN extension we would write now must appear byte for byte in the old certificate.
  if (!der.includes(wantedSan)) return 'names changed';
  if (o.isRevoked(serial)) return 'revoked';
  return undefined;
}

function loadExisting(paths: CaPaths, passphrase: string | undefined): { x509: X509Certificate; der: Buffer; key: KeyObject } | undefined {
  if (!existsSync(paths.serverCert) || !existsSync(paths.serverKey)) return undefined;
  try {
    const der = certificateDer(readFileSync(paths.serverCert, 'utf8'));
    const x509 = new X509Certificate(der);
    const { key } = readPrivateKey(paths.serverKey, passphrase);
    return x509.checkPrivateKey(key) ? { x509, der, key } : undefined;
  } catch (err) {
    // An exposed key file is never silently replaced; anything else is reissued.
    if (isRadgateError(err) && err.code === 'ca-key-insecure') throw err;
    return undefined;
  }
}
