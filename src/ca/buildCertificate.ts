// Assembles an X.509 v3 certificate (RFC 5280 4.1) and signs its TBS bytes.
import { bitString, explicit, sequence, time } from './derWriter.js';
import type { Signer } from './caSigner.js';

export interface CertificateFields {
  /** DER INTEGER. */
  serial: Buffer;
  /** Name DER, byte-identical to the issuer certificate's subject. */
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER. */
  spki: Buffer;
  /** Extension DERs. */
  extensions: readonly Buffer[];
}

const VERSION_3 = explicit(0, Buffer.from([0x02, 0x01, 0x02]));

export function buildTbsCertificate(f: CertificateFields, signatureAlgorithm: Buffer): Buffer {
  if (!(f.notAfter.getTime() > f.notBefore.getTime())) throw new RangeError('notAfter must be after notBefore');
  return sequence(
    VERSION_3,
    f.serial,
    signatureAlgorithm,
    f.issuer,
    sequence(time(f.notBefore), time(f.notAfter)),
    f.subject,
    f.spki,
    explicit(3, sequence(...f.extensions)),
  );
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }. */
export function buildCertificate(f: CertificateFields, signer: Signer): Buffer {
  const tbs = buildTbsCertificate(f, signer.algorithm);
  return sequence(tbs, signer.algorithm, bitString(signer.sign(tbs)));
}

