// Root and intermediate CA certificates: cA TRUE, keyCertSign + cRLSign, key identifiers.
import type { KeyObject } from 'node:crypto';
import type { Authority } from './authority.js';
import { buildCertificate } from './buildCertificate.js';
import { caSigner } from './caSigner.js';
import { authorityKeyIdentifier, basicConstraints, keyIdentifier, keyUsage, subjectKeyIdentifier } from './extensions.js';
import { encodeName, type NameAttribute } from './names.js';
import type { Serial } from './serial.js';

export const rootSubject = (trustDomain: string): Array<[NameAttribute, string]> => [
  ['O', 'radgate'],
  ['OU', trustDomain],
  ['CN', 'radgate root CA'],
];

export const intermediateSubject = (trustDomain: string): Array<[NameAttribute, string]> => [
  ['O', 'radgate'],
  ['OU', trustDomain],
  ['CN', 'radgate client CA'],
];

interface Validity {
  serial: Serial;
  notBefore: Date;
  notAfter: Date;
}

/** Self-signed trust anchor; no path length limit so the intermediate can be rotated freely. */
export function buildRootCertificate(p: Validity & { key: KeyObject; spki: Buffer; trustDomain: string }): Buffer {
  const name = encodeName(rootSubject(p.trustDomain));
  const keyId = keyIdentifier(p.spki);
  return buildCertificate(
    {
      serial: p.serial.der,
      issuer: name,
      subject: name,
      notBefore: p.notBefore,
      notAfter: p.notAfter,
      spki: p.spki,
      extensions: [basicConstraints(true), keyUsage(['keyCertSign', 'cRLSign']), subjectKeyIdentifier(keyId), authorityKeyIdentifier(keyId)],
    },
    caSigner(p.key),
  );
}

/** Issues end-entity certificates only (pathLenConstraint 0) and signs the CRL. */
export function buildIntermediateCertificate(p: Validity & { issuer: Authority; spki: Buffer; trustDomain: string }): Buffer {
  return buildCertificate(
    {
      serial: p.serial.der,
      issuer: p.issuer.subjectName,
      subject: encodeName(intermediateSubject(p.trustDomain)),
      notBefore: p.notBefore,
      notAfter: p.notAfter,
      spki: p.spki,
      extensions: [
        basicConstraints(true, 0),
        keyUsage(['keyCertSign', 'cRLSign']),
        subjectKeyIdentifier(keyIdentifier(p.spki)),
        authorityKeyIdentifier(p.issuer.keyId),
      ],
    },
    p.issuer.signer,
  );
}
