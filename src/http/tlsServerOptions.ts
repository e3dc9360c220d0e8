// TLS settings for every listener: BCP 195 (RFC 9325) — TLS 1.2+, ECDHE with AEAD only.
import type { SecureContextOptions, TlsOptions } from 'node:tls';

/** RFC 9325 4.2 recommended TLS 1.2 suites (TLS 1.3 suites are Node's AEAD defaults). */
export const BCP195_TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export interface TlsCredentials {
  cert: string;
  key: string;
  /** CA certificates for verifying client certificates (mTLS listeners). */
  clientCa?: string;
}

export function tlsServerOptions(creds: TlsCredentials, mtls: 'none' | 'request' | 'require' = 'none'): TlsOptions & SecureContextOptions {
  return {
    cert: creds.cert,
    key: creds.key,
    minVersion: 'TLSv1.2',
    ciphers: BCP195_TLS12_CIPHERS,
    honorCipherOrder: true,
    ecdhCurve: 'X25519:P-256:P-384',
    ...(mtls !== 'none' && creds.clientCa
      ? { ca: creds.clientCa, requestCert: true, rejectUnauthorized: mtls === 'require' }
      : {}),
  };
}
