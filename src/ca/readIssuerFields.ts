// Reads from a certificate the exact bytes an issuer must reuse: its subject Name (for
// children's issuer field) and its key identifier (for their authorityKeyIdentifier).
import { children, content, expectTag, readWhole, whole } from './derReader.js';
import { keyIdentifier } from './extensions.js';
import { OID } from './oids.js';

export interface IssuerFields {
  subjectName: Buffer;
  spki: Buffer;
  /** subjectKeyIdentifier when present, otherwise the RFC 7093 identifier of the key. */
  keyId: Buffer;
}

export function readIssuerFields(der: Buffer): IssuerFields {
  const [tbs] = children(der, readWhole(der, 0x30));
  const parts = children(der, expectTag(tbs, 0x30, 'tbsCertificate'));
  const offset = parts[0]?.tag === 0xa0 ? 1 : 0;
  const subject = expectTag(parts[offset + 4], 0x30, 'subject');
  const spki = expectTag(parts[offset + 5], 0x30, 'subjectPublicKeyInfo');
  const spkiDer = Buffer.from(whole(der, spki));
  let keyId: Buffer | undefined;
  const exts = parts.find((p) => p.tag === 0xa3);
  if (exts) {
    const [list] = children(der, exts);
    for (const ext of children(der, expectTag(list, 0x30, 'extensions'))) {
      const fields = children(der, ext);
      if (!whole(der, expectTag(fields[0], 0x06, 'extnID')).equals(OID.subjectKeyIdentifier)) continue;
      const value = content(der, expectTag(fields[fields.length - 1], 0x04, 'extnValue'));
      keyId = Buffer.from(content(value, expectTag(readWhole(value, 0x04), 0x04, 'keyIdentifier')));
    }
  }
  return { subjectName: Buffer.from(whole(der, subject)), spki: spkiDer, keyId: keyId ?? keyIdentifier(spkiDer) };
}
