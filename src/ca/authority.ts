// A CA certificate together with its private key and the bytes children must copy.
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { caSigner, type Signer } from './caSigner.js';
import { pemDecode, pemEncode } from './pem.js';
import { readIssuerFields } from './readIssuerFields.js';
import { normalizeSerial } from './serial.js';

export interface Authority {
  readonly pem: string;
  readonly der: Buffer;
  readonly x509: X509Certificate;
  readonly key: KeyObject;
  /** Subject Name DER, reused verbatim as the issuer of everything it signs. */
  readonly subjectName: Buffer;
  readonly keyId: Buffer;
  readonly signer: Signer;
  readonly serial: string;
  /** SHA-256 of the DER, lower-case hex (the certificates table's form). */
  readonly fingerprint: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Throws when the key does not belong to the certificate. */
export function authorityFrom(der: Buffer, key: KeyObject): Authority {
  const x509 = new X509Certificate(der);
  if (!x509.checkPrivateKey(key)) throw new Error('the private key does not match the certificate');
  const fields = readIssuerFields(der);
  return {
    pem: pemEncode('CERTIFICATE', der),
    der,
    x509,
    key,
    subjectName: fields.subjectName,
    keyId: fields.keyId,
    signer: caSigner(key),
    serial: normalizeSerial(x509.serialNumber)!,
    fingerprint: sha256Hex(der),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
  };
}

export const certificateDer = (pem: string): Buffer => pemDecode(pem, ['CERTIFICATE']);

/** `CN=…, OU=…, O=…`, the certificates table's form. */
export const subjectText = (x509: X509Certificate): string => x509.subject.split('\n').reverse().join(', ');

export const sha256Hex = (der: Uint8Array): string => createHash('sha256').update(der).digest('hex');

/** `AB:CD:…`, as `openssl x509 -fingerprint -sha256` prints it. */
export const colonHex = (hex: string): string => hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
