// The control plane's TLS server certificate: serverAuth only, DNS/IP SANs from config.
import type { Authority } from './authority.js';
import { buildCertificate } from './buildCertificate.js';
import { authorityKeyIdentifier, basicConstraints, extKeyUsage, hostName, keyIdentifier, keyUsage, subjectAltName, subjectKeyIdentifier } from './extensions.js';
import { encodeName, nameText, type NameAttribute } from './names.js';
import { OID } from './oids.js';
import type { Serial } from './serial.js';

export function serverSubject(names: readonly string[], trustDomain: string): Array<[NameAttribute, string]> {
  return [
    ['O', 'radgate'],
    ['OU', trustDomain],
    ['CN', names[0] ?? 'radgate'],
  ];
}

export function buildServerCertificate(p: {
  issuer: Authority;
  spki: Buffer;
  names: readonly string[];
  trustDomain: string;
  serial: Serial;
  notBefore: Date;
  notAfter: Date;
}): { der: Buffer; subject: string } {
  if (p.names.length === 0) throw new RangeError('a server certificate needs at least one name');
  const subject = serverSubject(p.names, p.trustDomain);
  const der = buildCertificate(
    {
      serial: p.serial.der,
      issuer: p.issuer.subjectName,
      subject: encodeName(subject),
      notBefore: p.notBefore,
      notAfter: p.notAfter,
      spki: p.spki,
      extensions: [
        basicConstraints(false),
        keyUsage(['digitalSignature']),
        extKeyUsage([OID.serverAuth]),
        subjectAltName(p.names.map(hostName)),
        subjectKeyIdentifier(keyIdentifier(p.spki)),
        authorityKeyIdentifier(p.issuer.keyId),
      ],
    },
    p.issuer.signer,
  );
  return { der, subject: nameText(subject) };
}
