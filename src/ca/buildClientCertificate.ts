// The client certificate profile. Every name comes from the server, none from the CSR:
//   subject  O=radgate, OU=<trust domain>, CN=<user id>
//   SAN      URI urn:radgate:user:<id>, urn:radgate:device:<id>, urn:radgate:session:<id>
//            and urn:radgate:grant:<id> when the certificate serves a vendor grant
//   basicConstraints cA FALSE (critical), keyUsage digitalSignature (critical),
//   extKeyUsage clientAuth, subject/authority key identifiers.
import type { Authority } from './authority.js';
import { buildCertificate } from './buildCertificate.js';
import { authorityKeyIdentifier, basicConstraints, extKeyUsage, keyIdentifier, keyUsage, subjectAltName, subjectKeyIdentifier, uriName } from './extensions.js';
import { identityUri } from './identityUris.js';
import { encodeName, nameText, type NameAttribute } from './names.js';
import { OID } from './oids.js';
import type { Serial } from './serial.js';

export interface ClientIdentity {
  userId: string;
  deviceId: string;
  sessionId: string;
  grantId?: string | undefined;
}

const END_ENTITY = basicConstraints(false);
const DIGITAL_SIGNATURE = keyUsage(['digitalSignature']);
const CLIENT_AUTH = extKeyUsage([OID.clientAuth]);

export function clientSubject(userId: string, trustDomain: string): Array<[NameAttribute, string]> {
  return [
    ['O', 'radgate'],
    ['OU', trustDomain],
    ['CN', userId],
  ];
}

export function buildClientCertificate(p: {
  issuer: Authority;
  spki: Buffer;
  identity: ClientIdentity;
  trustDomain: string;
  serial: Serial;
  notBefore: Date;
  notAfter: Date;
}): { der: Buffer; subject: string } {
  const { identity } = p;
  const uris = [identityUri('user', identity.userId), identityUri('device', identity.deviceId), identityUri('session', identity.sessionId)];
  if (identity.grantId !== undefined) uris.push(identityUri('grant', identity.grantId));
  const subject = clientSubject(identity.userId, p.trustDomain);
  const der = buildCertificate(
    {
      serial: p.serial.der,
      issuer: p.issuer.subjectName,
      subject: encodeName(subject),
      notBefore: p.notBefore,
      notAfter: p.notAfter,
      spki: p.spki,
      extensions: [
        END_ENTITY,
        DIGITAL_SIGNATURE,
        CLIENT_AUTH,
        subjectAltName(uris.map(uriName)),
        subjectKeyIdentifier(keyIdentifier(p.spki)),
        authorityKeyIdentifier(p.issuer.keyId),
      ],
    },
    p.issuer.signer,
  );
  return { der, subject: nameText(subject) };
}
